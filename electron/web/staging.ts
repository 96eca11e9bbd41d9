/**
 * Browser-mode uploads: dropped File objects have no path on disk, so their bytes are staged under
 * <dataDir>/staging/<random id>/<original relative path> and the import job reads them from there, showing the
 * original name. A file appears under its final name only once completely written (temp name + rename).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportSource } from '../api/contract';

export class StagingError extends Error {
  override readonly name = 'StagingError';
  constructor(
    readonly status: 400 | 413 | 507,
    message: string,
  ) {
    super(message);
  }
}

/** Splits a dropped file's relative path into safe segments: no '..', no absolute roots, no control characters. */
export function safeRelativeSegments(name: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the character class names the control characters it rejects
  const segments = name.split(/[\\/]+/).map((segment) => segment.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_').trim());
  const kept = segments.filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (kept.length === 0) throw new StagingError(400, `name '${name}' has no usable file name`);
  if (kept.some((segment) => Buffer.byteLength(segment) > 255)) {
    throw new StagingError(400, `name '${shorten(name)}' is too long: a path segment is longer than 255 bytes`);
  }
  if (kept.length > MAX_NAME_SEGMENTS || Buffer.byteLength(kept.join('/')) > MAX_NAME_BYTES) {
    throw new StagingError(400, `name '${shorten(name)}' is too long: at most ${MAX_NAME_SEGMENTS} folders and ${MAX_NAME_BYTES} bytes`);
  }
  return kept;
}

/** Room left under PATH_MAX (4096 on Linux) for the data folder, the staging folder and the batch id. */
const MAX_NAME_BYTES = 1024;
const MAX_NAME_SEGMENTS = 32;

function shorten(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

/**
 * How many bytes of uploads the staging folder holds, per upload batch, against a cap: uploads that were never
 * imported must not fill the disk. Uploads reserve bytes as they arrive; deleting a batch gives them back.
 */
export class StagingQuota {
  private readonly batches = new Map<string, number>();
  private total = 0;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.total;
  }

  /** Counts what an earlier run left in the folder (their imports may still be resumed). */
  async scan(stagingDir: string): Promise<void> {
    for (const entry of await readdir(stagingDir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) this.add(path.join(stagingDir, entry.name), await folderBytes(path.join(stagingDir, entry.name)));
    }
  }

  add(batchDir: string, bytes: number): void {
    if (this.total + bytes > this.limitBytes) {
      throw new StagingError(
        413,
        `the staging folder is full (${this.total} of ${this.limitBytes} bytes hold uploads not imported yet); import or discard them first`,
      );
    }
    this.batches.set(batchDir, (this.batches.get(batchDir) ?? 0) + bytes);
    this.total += bytes;
  }

  release(batchDir: string): void {
    this.total -= this.batches.get(batchDir) ?? 0;
    this.batches.delete(batchDir);
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/** The upload batch folder (<staging>/<id>) that holds `filePath`, or undefined when it is not a staged file. */
export function stagingBatchOf(stagingDir: string, filePath: string): string | undefined {
  const relative = path.relative(path.resolve(stagingDir), path.resolve(filePath));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const batch = relative.split(path.sep)[0]!;
  return path.join(path.resolve(stagingDir), batch);
}

/** Deletes the upload batches that hold these files (after their import): staged copies are not kept. */
export async function removeStagedBatches(stagingDir: string, files: readonly string[], quota?: StagingQuota): Promise<number> {
  const batches = new Set(files.map((file) => stagingBatchOf(stagingDir, file)).filter((batch) => batch !== undefined));
  for (const batch of batches) {
    await rm(batch, { recursive: true, force: true });
    quota?.release(batch);
  }
  return batches.size;
}

export async function stageUpload(stagingDir: string, name: string, body: Readable, maxBytes: number, quota?: StagingQuota): Promise<ImportSource> {
  const segments = safeRelativeSegments(name);
  const batchDir = path.join(stagingDir, randomUUID());
  const finalPath = path.join(batchDir, ...segments);
  const partialPath = `${finalPath}.${randomUUID()}.part`;
  let received = 0;
  const limit = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      received += chunk.length;
      if (received > maxBytes) throw new StagingError(413, `'${shorten(name)}' is larger than the ${maxBytes}-byte upload limit`);
      quota?.add(batchDir, chunk.length);
      yield chunk;
    }
  };
  try {
    await mkdir(path.dirname(finalPath), { recursive: true });
    await pipeline(body, limit, createWriteStream(partialPath, { flags: 'wx' }));
    await rename(partialPath, finalPath);
  } catch (error) {
    await rm(batchDir, { recursive: true, force: true });
    quota?.release(batchDir);
    if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG') {
      throw new StagingError(400, `name '${shorten(name)}' is too long for this file system`);
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new StagingError(507, `disk full: cannot stage '${shorten(name)}'; free some space and upload again`);
    }
    throw error;
  }
  return { path: finalPath, name: segments.join('/') };
}

/** Removes staged uploads older than `maxAgeMs` (their imports finished long ago or never started). */
export async function sweepStaging(stagingDir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const entries = await readdir(stagingDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const entryPath = path.join(stagingDir, entry.name);
    const info = await stat(entryPath).catch(() => undefined);
    if (info && now - info.mtimeMs > maxAgeMs) {
      await rm(entryPath, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}
