import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../electron/store/store';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let store: Store;
let tick = 0;
// A clock that moves one second per call keeps "most recently updated first" deterministic.
const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();
beforeEach(() => {
  tick = 0;
  temp = makeTempDir();
  store = openStore(path.join(temp.dir, 'data'), clock);
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

const SHA = (c: string) => c.repeat(64);
function newImage(projectId: number, sha = SHA('a')) {
  return { projectId, sha256: sha, originalName: 'cat.png', format: 'png' as const, width: 4, height: 3, bytes: 99, thumbnailSha256: SHA('f') };
}

describe('ProjectsRepository', () => {
  it('creates, lists most-recently-updated first with counts, renames and deletes', () => {
    const a = store.projects.create('A');
    const b = store.projects.create('B');
    expect(a).toMatchObject({ name: 'A', imageCount: 0, conceptCount: 0, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(store.projects.list().map((p) => p.name)).toEqual(['B', 'A']);
    expect(store.projects.rename(a.id, 'A2')).toBe(true);
    expect(store.projects.list().map((p) => p.name)).toEqual(['A2', 'B']);
    store.images.insert(newImage(b.id));
    store.concepts.create(b.id, { name: 'ink', prompt: 'ink drawing', teacher: '' });
    expect(store.projects.get(b.id)).toMatchObject({ imageCount: 1, conceptCount: 1 });
    expect(store.projects.delete(b.id)).toBe(true);
    expect(store.projects.get(b.id)).toBeUndefined();
    expect(store.projects.rename(b.id, 'gone')).toBe(false);
    expect(store.projects.delete(b.id)).toBe(false);
  });
});

describe('ConceptsRepository', () => {
  it('stores name, prompt and teacher per project', () => {
    const project = store.projects.create('P');
    const concept = store.concepts.create(project.id, { name: 'watercolor', prompt: 'make it watercolor', teacher: 'instruct-pix2pix' });
    expect(store.concepts.listByProject(project.id)).toEqual([concept]);
    expect(store.concepts.findByName(project.id, 'watercolor')?.id).toBe(concept.id);
    expect(store.concepts.update(concept.id, { name: 'wc', prompt: 'p2', teacher: 't2' })).toBe(true);
    expect(store.concepts.get(concept.id)).toMatchObject({ name: 'wc', prompt: 'p2', teacher: 't2' });
    expect(store.concepts.delete(concept.id)).toBe(true);
    expect(store.concepts.listByProject(project.id)).toEqual([]);
  });
});

describe('ImagesRepository', () => {
  it('inserts, finds by sha within a project, lists in import order', () => {
    const project = store.projects.create('P');
    const first = store.images.insert(newImage(project.id, SHA('a')));
    const second = store.images.insert(newImage(project.id, SHA('b')));
    expect(store.images.listByProject(project.id).map((i) => i.id)).toEqual([first.id, second.id]);
    expect(store.images.findBySha(project.id, SHA('b'))?.id).toBe(second.id);
    expect(store.images.findBySha(project.id + 1, SHA('b'))).toBeUndefined();
    expect(store.images.delete(first.id)).toBe(true);
    expect(store.images.get(first.id)).toBeUndefined();
  });
});

describe('JobsRepository', () => {
  it('enqueues, claims oldest first once, and guards state transitions', () => {
    const project = store.projects.create('P');
    const one = store.jobs.enqueue('import-images', project.id, { projectId: project.id, files: [{ path: '/a' }] });
    const two = store.jobs.enqueue('import-images', project.id, { projectId: project.id, files: [{ path: '/b' }] });
    expect(one).toMatchObject({ state: 'queued', progress: 0, result: null, payload: { files: [{ path: '/a' }] } });
    const claimed = store.jobs.claimNext(1234);
    expect(claimed).toMatchObject({ id: one.id, state: 'running' });
    expect(claimed?.startedAt).not.toBeNull();
    expect(store.jobs.running()).toEqual([{ id: one.id, ownerPid: 1234 }]);
    expect(store.jobs.claimNext(1234)?.id).toBe(two.id);
    expect(store.jobs.claimNext(1234)).toBeUndefined();

    store.jobs.setProgress(one.id, 0.5, 'half');
    expect(store.jobs.get(one.id)).toMatchObject({ progress: 0.5, message: 'half' });
    expect(store.jobs.transition(one.id, ['queued'], 'cancelled')).toBe(false);
    expect(store.jobs.transition(one.id, ['running'], 'done', { result: { ok: 1 }, progress: 1 })).toBe(true);
    const done = store.jobs.get(one.id)!;
    expect(done).toMatchObject({ state: 'done', result: { ok: 1 }, progress: 1 });
    expect(done.finishedAt).not.toBeNull();
    // A finished job no longer takes progress writes.
    store.jobs.setProgress(one.id, 0.1, 'late');
    expect(store.jobs.get(one.id)?.progress).toBe(1);
  });

  it('leaves a queued job reserved by another live process alone, but adopts one whose owner died', () => {
    const project = store.projects.create('P');
    const payload = { projectId: project.id, files: [] };
    const theirs = store.jobs.enqueue('import-images', project.id, payload, process.ppid);
    const orphan = store.jobs.enqueue('import-images', project.id, payload, 2 ** 22 + 777); // no such pid
    const mine = store.jobs.enqueue('import-images', project.id, payload, process.pid);
    expect(store.jobs.claimNext(process.pid)?.id).toBe(orphan.id);
    expect(store.jobs.claimNext(process.pid)?.id).toBe(mine.id);
    expect(store.jobs.claimNext(process.pid)).toBeUndefined();
    expect(store.jobs.get(theirs.id)?.state).toBe('queued');
    expect(store.jobs.claimNext(process.ppid)?.id).toBe(theirs.id);
  });

  it('filters by project and state, newest first', () => {
    const p1 = store.projects.create('1');
    const p2 = store.projects.create('2');
    const a = store.jobs.enqueue('import-images', p1.id, { projectId: p1.id, files: [] });
    const b = store.jobs.enqueue('import-images', p2.id, { projectId: p2.id, files: [] });
    const c = store.jobs.enqueue('import-images', p1.id, { projectId: p1.id, files: [] });
    store.jobs.transition(c.id, ['queued'], 'cancelled');
    expect(store.jobs.list().map((j) => j.id)).toEqual([c.id, b.id, a.id]);
    expect(store.jobs.list({ projectId: p1.id }).map((j) => j.id)).toEqual([c.id, a.id]);
    expect(store.jobs.list({ projectId: p1.id, states: ['queued'] }).map((j) => j.id)).toEqual([a.id]);
    expect(store.jobs.list({ limit: 1 }).map((j) => j.id)).toEqual([c.id]);
  });
});

describe('ImportItemsRepository', () => {
  it('records the file list and settles each item exactly once', () => {
    const project = store.projects.create('P');
    const job = store.jobs.enqueue('import-images', project.id, { projectId: project.id, files: [] });
    store.importItems.addAll(job.id, [
      { path: '/x/a.png', name: 'a.png' },
      { path: '/x/b.txt', name: 'b.txt' },
    ]);
    expect(store.importItems.count(job.id)).toBe(2);
    expect(store.importItems.settle(job.id, 1, 'skipped', { reason: 'not an image' })).toBe(true);
    expect(store.importItems.settle(job.id, 1, 'imported', {})).toBe(false);
    expect(store.importItems.list(job.id)).toEqual([
      { jobId: job.id, seq: 0, path: '/x/a.png', name: 'a.png', status: 'pending', reason: null, imageId: null },
      { jobId: job.id, seq: 1, path: '/x/b.txt', name: 'b.txt', status: 'skipped', reason: 'not an image', imageId: null },
    ]);
  });
});
