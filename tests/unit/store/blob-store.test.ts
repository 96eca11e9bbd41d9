import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, sha256Hex } from '../../../electron/store/blob-store';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let blobs: BlobStore;
beforeEach(() => {
  temp = makeTempDir();
  blobs = new BlobStore(path.join(temp.dir, 'blobs'));
});
afterEach(() => temp.cleanup());

describe('BlobStore', () => {
  it('stores bytes under blobs/ab/cdef… named by their sha256', async () => {
    const bytes = Buffer.from('hello blob');
    const sha = await blobs.put(bytes);
    expect(sha).toBe(sha256Hex(bytes));
    const file = path.join(temp.dir, 'blobs', sha.slice(0, 2), sha.slice(2));
    expect(blobs.pathFor(sha)).toBe(file);
    expect(readFileSync(file)).toEqual(bytes);
    expect(await blobs.has(sha)).toBe(true);
    expect(await blobs.read(sha)).toEqual(bytes);
  });

  it('writes the same content once and leaves no temp files', async () => {
    const bytes = Buffer.from('same');
    const results = await Promise.all([blobs.put(bytes), blobs.put(bytes), blobs.put(bytes)]);
    expect(new Set(results).size).toBe(1);
    const folder = path.dirname(blobs.pathFor(results[0]!));
    expect(readdirSync(folder)).toEqual([results[0]!.slice(2)]);
  });

  it('rejects addresses that are not sha256 hex (no path traversal)', () => {
    expect(() => blobs.pathFor('../../etc/passwd')).toThrow(/not a sha256/);
    expect(() => blobs.pathFor('A'.repeat(64))).toThrow(/not a sha256/);
  });

  it('sweeps temp files of dead writers but not of live ones', async () => {
    const folder = path.join(temp.dir, 'blobs', 'ab');
    mkdirSync(folder, { recursive: true });
    // A pid that surely existed and exited: a finished child process.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path.join(folder, `.tmp-${deadPid}-aaaa`), 'half');
    writeFileSync(path.join(folder, `.tmp-${process.ppid}-bbbb`), 'in progress elsewhere');
    expect(blobs.sweepTemporaryFiles()).toBe(1);
    expect(existsSync(path.join(folder, `.tmp-${deadPid}-aaaa`))).toBe(false);
    expect(existsSync(path.join(folder, `.tmp-${process.ppid}-bbbb`))).toBe(true);
  });

  it('sweeping an empty or missing store is a no-op', () => {
    expect(blobs.sweepTemporaryFiles()).toBe(0);
  });
});
