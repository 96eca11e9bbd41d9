import { statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../electron/store/garbage-collect';
import { openStore, type Store } from '../../../electron/store/store';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let store: Store;
beforeEach(() => {
  temp = makeTempDir('e2gan-gc-');
  store = openStore(path.join(temp.dir, 'data'));
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

const HOUR = 60 * 60 * 1000;
function age(sha: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  utimesSync(store.blobs.pathFor(sha), when, when);
}

async function seed() {
  const project = store.projects.create('P');
  const original = await store.blobs.put(Buffer.from('original'));
  const thumbnail = await store.blobs.put(Buffer.from('thumbnail'));
  const orphan = await store.blobs.put(Buffer.from('orphan of a deleted image'));
  store.images.insert({
    projectId: project.id,
    sha256: original,
    originalName: 'a.png',
    format: 'png',
    width: 1,
    height: 1,
    bytes: 8,
    thumbnailSha256: thumbnail,
  });
  for (const sha of [original, thumbnail, orphan]) age(sha, 2 * HOUR);
  return { project, original, thumbnail, orphan };
}

describe('collectGarbage', () => {
  it('removes only old blobs that no row refers to', async () => {
    const { original, thumbnail, orphan } = await seed();
    const result = collectGarbage(store);
    expect(result).toEqual({ examined: 3, removed: 1, bytesFreed: 'orphan of a deleted image'.length, stoppedBecause: null });
    expect(await store.blobs.has(orphan)).toBe(false);
    expect(await store.blobs.has(original)).toBe(true);
    expect(await store.blobs.has(thumbnail)).toBe(true);
  });

  it('frees a deleted project’s blobs', async () => {
    const { project } = await seed();
    store.projects.delete(project.id);
    expect(collectGarbage(store).removed).toBe(3);
    expect(store.blobs.listBlobs()).toEqual([]);
  });

  it('keeps blobs younger than the grace period, and blobs a writer just reused', async () => {
    const { orphan } = await seed();
    await store.blobs.put(Buffer.from('orphan of a deleted image'));
    expect(Date.now() - statSync(store.blobs.pathFor(orphan)).mtimeMs).toBeLessThan(HOUR);
    expect(collectGarbage(store)).toMatchObject({ examined: 2, removed: 0 });
    expect(await store.blobs.has(orphan)).toBe(true);
  });

  it('does nothing while a job is queued or running', async () => {
    const { project, orphan } = await seed();
    store.jobs.enqueue('import-images', project.id, { projectId: project.id, files: [] });
    expect(collectGarbage(store)).toMatchObject({ removed: 0, stoppedBecause: '1 job(s) queued or running' });
    expect(await store.blobs.has(orphan)).toBe(true);
  });
});
