import { readFile, stat } from 'node:fs/promises';
import { sha256Hex } from '../../store/blob-store';
import type { Store } from '../../store/store';
import type { ImportItem } from '../../store/repositories/import-items';
import type { ImportImagesResult } from '../../domain/types';
import type { JobHandler } from '../job-handlers';
import { decodeImage } from './decode-image';
import { expandImportPaths } from './expand-import-paths';

/** Larger files are refused before reading them whole into memory. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/**
 * Imports photos into a project. The expanded file list is persisted first; then each file is decoded, its
 * original and thumbnail written to the blob store (atomically), and its image row plus its import_items status
 * committed in one transaction. A crash between the blob writes and the commit leaves only a complete,
 * unreferenced blob; a resumed job redoes that file and finds the blob already there.
 */
export const importImages: JobHandler<'import-images'> = async ({ jobId, payload, store, signal, reportProgress }) => {
  if (!store.projects.get(payload.projectId)) throw new Error(`project ${payload.projectId} does not exist`);
  if (store.importItems.count(jobId) === 0) {
    reportProgress(0, 'Listing files');
    const files = await expandImportPaths(payload.files);
    store.importItems.addAll(jobId, files);
  }
  const items = store.importItems.list(jobId);
  const total = items.length;
  let settled = items.filter((item) => item.status !== 'pending').length;
  for (const item of items) {
    if (item.status !== 'pending') continue;
    if (signal.aborted) break;
    const imported = await importOne(store, payload.projectId, item);
    settled += 1;
    reportProgress(total === 0 ? 1 : settled / total, `${settled} of ${total}: ${item.name}`, imported ? ['images'] : []);
  }
  if (total === 0) reportProgress(1, 'No files to import');
  return summarize(store.importItems.list(jobId));
};

/** Settles one pending item. Returns true when a new image row was added. */
async function importOne(store: Store, projectId: number, item: ImportItem): Promise<boolean> {
  const skip = (reason: string) => {
    store.importItems.settle(item.jobId, item.seq, 'skipped', { reason });
    return false;
  };
  let bytes: Buffer;
  try {
    const info = await stat(item.path);
    if (!info.isFile()) return skip('not a file');
    if (info.size === 0) return skip('empty file');
    if (info.size > MAX_IMPORT_BYTES) return skip(`file is ${info.size} bytes; the limit is ${MAX_IMPORT_BYTES}`);
    bytes = await readFile(item.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return skip(code === 'ENOENT' ? 'file not found' : `cannot read file: ${(error as Error).message}`);
  }

  const existing = store.images.findBySha(projectId, sha256Hex(bytes));
  if (existing) {
    store.importItems.settle(item.jobId, item.seq, 'duplicate', { imageId: existing.id });
    return false;
  }
  const decoded = await decodeImage(bytes);
  if (!decoded.ok) return skip(decoded.reason);

  const sha256 = await store.blobs.put(bytes);
  const thumbnailSha256 = await store.blobs.put(decoded.image.thumbnail);
  const commit = store.db.transaction((): boolean => {
    // Checked again inside the write lock: another job may have imported the same bytes meanwhile.
    const raced = store.images.findBySha(projectId, sha256);
    if (raced) {
      store.importItems.settle(item.jobId, item.seq, 'duplicate', { imageId: raced.id });
      return false;
    }
    const image = store.images.insert({
      projectId,
      sha256,
      originalName: item.name,
      format: decoded.image.format,
      width: decoded.image.width,
      height: decoded.image.height,
      bytes: bytes.length,
      thumbnailSha256,
    });
    store.importItems.settle(item.jobId, item.seq, 'imported', { imageId: image.id });
    store.projects.touch(projectId);
    return true;
  });
  return commit.immediate();
}

/** Items whose image was deleted since the import (image_id set to NULL) are left out of the lists. */
export function summarize(items: readonly ImportItem[]): ImportImagesResult {
  const result: ImportImagesResult = { imported: [], duplicates: [], skipped: [], notProcessed: 0 };
  for (const item of items) {
    if (item.status === 'imported' && item.imageId !== null) result.imported.push({ imageId: item.imageId, name: item.name });
    else if (item.status === 'duplicate' && item.imageId !== null) result.duplicates.push({ name: item.name, path: item.path, existingImageId: item.imageId });
    else if (item.status === 'skipped') result.skipped.push({ name: item.name, path: item.path, reason: item.reason ?? 'skipped' });
    else if (item.status === 'pending') result.notProcessed += 1;
  }
  return result;
}
