/**
 * Already-paired imports. The back end pairs files named NAME.input.EXT / NAME.target.EXT; a "before" folder
 * and an "after" folder (matched by file name) are renamed into that form here, because in browser mode a picked
 * folder arrives as loose uploaded files and only their names survive staging.
 */
import type { FileToStage } from '../../../electron/api/contract';

const IMAGE_NAME = /^(.+)\.(png|jpe?g|webp)$/i;

function baseName(file: File): string {
  const relative = file.webkitRelativePath || file.name;
  return relative.slice(relative.lastIndexOf('/') + 1);
}

/** Before/after folders → files named NAME.input.EXT / NAME.target.EXT; non-images are left out. */
export function pairedFromFolders(before: readonly File[], after: readonly File[]): FileToStage[] {
  const rename = (file: File, role: 'input' | 'target'): FileToStage | null => {
    const match = IMAGE_NAME.exec(baseName(file));
    return match ? { file, relativePath: `${match[1]}.${role}.${match[2]}` } : null;
  };
  return [...before.map((file) => rename(file, 'input')), ...after.map((file) => rename(file, 'target'))].filter(
    (entry): entry is FileToStage => entry !== null,
  );
}

/** Files already named NAME.input.EXT / NAME.target.EXT (picked one by one or inside one folder). */
export function pairedFromNamedFiles(files: readonly File[]): FileToStage[] {
  return files.map((file) => ({ file, relativePath: baseName(file) }));
}
