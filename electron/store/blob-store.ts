import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './process-alive';

const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const TEMP_PREFIX = '.tmp-';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isSha256(value: string): boolean {
  return SHA256_PATTERN.test(value);
}

/**
 * Content-addressed files: blobs/ab/cdef… named by the sha256 of their bytes. A blob is written to a temp file in
 * its final folder, fsynced, then renamed into place, so a reader (or a process killed mid-write) never sees a
 * partial blob under a real name. Temp names carry the writer's pid so a sweep only removes dead writers' files.
 */
export class BlobStore {
  constructor(readonly root: string) {}

  pathFor(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`not a sha256 hex digest: '${sha256}'`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(sha256))).isFile();
    } catch {
      return false;
    }
  }

  async read(sha256: string): Promise<Buffer> {
    return readFile(this.pathFor(sha256));
  }

  /** Stores bytes (no-op when already present) and returns their address. */
  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const target = this.pathFor(sha256);
    if (await this.touch(target)) return sha256;
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true });
    const temp = path.join(folder, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    // rename() replaces atomically; a concurrent writer of the same address wrote identical bytes.
    await rename(temp, target);
    await syncFolder(folder);
    return sha256;
  }

  /**
   * Marks an existing blob as freshly used, so garbage collection (which only removes blobs older than its
   * grace period) leaves alone a blob that a writer is about to reference again. False when it does not exist.
   */
  private async touch(file: string): Promise<boolean> {
    try {
      const now = new Date();
      await utimes(file, now, now);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Every stored blob with its size and last write/use time (temp files excluded). */
  listBlobs(): { sha256: string; bytes: number; mtimeMs: number }[] {
    const out: { sha256: string; bytes: number; mtimeMs: number }[] = [];
    for (const folder of listFolder(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of listFolder(path.join(this.root, folder))) {
        const sha256 = folder + name;
        if (!isSha256(sha256)) continue;
        try {
          const info = statSync(path.join(this.root, folder, name));
          out.push({ sha256, bytes: info.size, mtimeMs: info.mtimeMs });
        } catch {
          // Removed meanwhile.
        }
      }
    }
    return out;
  }

  /** Removes temp files left by writers that died (kill -9, power loss). Returns how many were removed. */
  /** Synchronous because it runs once while opening the data folder, before anything else touches blobs. */
  sweepTemporaryFiles(): number {
    let removed = 0;
    for (const folder of listFolder(this.root)) {
      const full = path.join(this.root, folder);
      for (const name of listFolder(full)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
        const ownerAlive = Number.isInteger(pid) && (pid === process.pid || isProcessAlive(pid));
        if (ownerAlive) continue;
        rmSync(path.join(full, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Makes the rename itself durable (POSIX); Windows cannot open folders for fsync and does not need it. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
