import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImportFile } from '../../domain/types';

export interface ExpandedFile {
  path: string;
  name: string;
}

/**
 * Turns the user's selection (files and folders) into the list of files to import, in a stable order.
 * Folders are walked recursively; their hidden entries (.DS_Store, .git) are left out because nobody drops a
 * folder meaning "import its metadata files". A path that does not exist is still listed, so the job reports it
 * as skipped with a reason instead of silently dropping it.
 */
export async function expandImportPaths(files: readonly ImportFile[]): Promise<ExpandedFile[]> {
  const out: ExpandedFile[] = [];
  for (const file of files) {
    const displayName = file.name ?? path.basename(file.path);
    let info;
    try {
      info = await stat(file.path);
    } catch {
      out.push({ path: file.path, name: displayName });
      continue;
    }
    if (info.isDirectory()) await walk(file.path, displayName, out);
    else out.push({ path: file.path, name: displayName });
  }
  return out;
}

async function walk(folder: string, displayPrefix: string, out: ExpandedFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    const name = `${displayPrefix}/${entry.name}`;
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      // Follow links to files; links to folders are not followed, which rules out cycles.
      try {
        const target = await stat(full);
        if (target.isDirectory()) continue;
        isDirectory = false;
      } catch {
        out.push({ path: full, name });
        continue;
      }
    }
    if (isDirectory) await walk(full, name, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push({ path: full, name });
  }
}
