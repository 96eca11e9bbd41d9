// Turns a drop (or a file input) into a flat list of files, walking dropped folders.
// Browser-safe: uses only the DOM File and Entry APIs.

export interface DroppedFile {
  file: File;
  /** Path inside the dropped selection, e.g. "trip/day1/a.jpg"; just the name for a loose file. */
  relativePath: string;
}

/** The subset of FileSystemEntry we rely on, so tests can pass plain objects. */
export interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): {
    readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void;
  };
}

/** One top-level dropped item, captured synchronously (DataTransfer items die when the event handler returns). */
export interface DropItem {
  entry: EntryLike | null;
  file: File | null;
}

export function captureDropItems(dataTransfer: DataTransfer): DropItem[] {
  const captured: DropItem[] = [];
  const items = dataTransfer.items;
  if (items && items.length > 0) {
    for (const item of Array.from(items)) {
      if (item.kind !== 'file') continue;
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      captured.push({ entry, file: item.getAsFile() });
    }
    return captured;
  }
  // Some synthetic drops only fill .files.
  for (const file of Array.from(dataTransfer.files ?? [])) captured.push({ entry: null, file });
  return captured;
}

export async function expandDropItems(items: DropItem[]): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  for (const item of items) {
    if (item.entry?.isDirectory) {
      await walkDirectory(item.entry as DirectoryEntryLike, item.entry.name, out);
    } else if (item.entry?.isFile) {
      const file = await readFileEntry(item.entry as FileEntryLike);
      out.push({ file, relativePath: item.entry.name });
    } else if (item.file) {
      out.push({ file: item.file, relativePath: item.file.name });
    }
  }
  return out;
}

/**
 * What the user handed over, before deciding how to import it. In Electron the top-level items are files and
 * folders on disk (imported by path, the back end walks folders); in browser mode there are no paths, so
 * folders are walked here and every file is uploaded.
 */
export interface DroppedSelection {
  /** The dropped items themselves: files and folders, by name; null when one has no File (cannot be used). */
  topLevel: DroppedFile[] | null;
  /** Every file inside, folders walked, with folder-relative paths. */
  expand(): Promise<DroppedFile[]>;
}

export function selectionFromDrop(items: DropItem[]): DroppedSelection {
  const topLevel = items.every((item) => item.file !== null)
    ? items.map((item) => ({ file: item.file!, relativePath: item.entry?.name ?? item.file!.name }))
    : null;
  let expanded: Promise<DroppedFile[]> | null = null;
  return { topLevel, expand: () => (expanded ??= expandDropItems(items)) };
}

export function selectionFromFiles(files: DroppedFile[]): DroppedSelection {
  return { topLevel: files, expand: () => Promise.resolve(files) };
}

export function filesFromInput(list: FileList | null): DroppedFile[] {
  return Array.from(list ?? []).map((file) => ({
    file,
    relativePath: file.webkitRelativePath || file.name,
  }));
}

async function walkDirectory(dir: DirectoryEntryLike, prefix: string, out: DroppedFile[]): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns at most ~100 entries per call; keep calling until it returns an empty batch.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const entry of batch) {
      const path = `${prefix}/${entry.name}`;
      if (entry.isDirectory) await walkDirectory(entry as DirectoryEntryLike, path, out);
      else if (entry.isFile) out.push({ file: await readFileEntry(entry as FileEntryLike), relativePath: path });
    }
  }
}

function readFileEntry(entry: FileEntryLike): Promise<File> {
  return new Promise<File>((resolve, reject) => entry.file(resolve, reject));
}
