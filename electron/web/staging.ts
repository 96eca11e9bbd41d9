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
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** Splits a dropped file's relative path into safe segments: no '..', no absolute roots, no control characters. */
export function safeRelativeSegments(name: string): string[] {
  // eslint-disable-next-line no-control-regex
  const segments = name.split(/[\\/]+/).map((segment) => segment.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_').trim());
  const kept = segments.filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (kept.length === 0) throw new StagingError(400, `name '${name}' has no usable file name`);
  if (kept.some((segment) => Buffer.byteLength(segment) > 255)) {
    throw new StagingError(400, `name '${name}' has a path segment longer than 255 bytes`);
  }
  return kept;
}

export async function stageUpload(
  stagingDir: string,
  name: string,
  body: Readable,
  maxBytes: number,
): Promise<ImportSource> {
  const segments = safeRelativeSegments(name);
  const batchDir = path.join(stagingDir, randomUUID());
  const finalPath = path.join(batchDir, ...segments);
  await mkdir(path.dirname(finalPath), { recursive: true });
  const partialPath = `${finalPath}.${randomUUID()}.part`;
  let received = 0;
  const limit = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      received += chunk.length;
      if (received > maxBytes) throw new StagingError(413, `'${name}' is larger than the ${maxBytes}-byte upload limit`);
      yield chunk;
    }
  };
  try {
    await pipeline(body, limit, createWriteStream(partialPath, { flags: 'wx' }));
    await rename(partialPath, finalPath);
  } catch (error) {
    await rm(batchDir, { recursive: true, force: true });
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
