import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatch } from '../../../electron/api/dispatch';
import { callOk, openApiHarness } from './fixtures/api-harness';
import type { Job, Services } from '../../../electron/services/index';

const SAMPLES = path.resolve('resources/samples');
const PHOTOS = ['astronaut.jpg', 'brick.jpg', 'camera.jpg', 'chelsea.jpg', 'coffee.jpg'];

let root: string;
let services: Services;
let dispatch: Dispatch;
let emitted: { name: string; payload: unknown }[];
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-pair-cancel-'));
  ({ services, dispatch, emitted } = openApiHarness(root));
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

function call<T>(method: string, input?: unknown): Promise<T> {
  return callOk<T>(dispatch, method, input);
}

async function conceptWithPhotos(): Promise<{ projectId: number; conceptId: number; imageIds: number[] }> {
  const project = services.projects.create({ name: 'Cancel one' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Vintage', prompt: 'old photo', teacher: 'sepia-vintage' });
  const imported = await services.jobs.waitFor(
    services.imports.start({ projectId: project.id, sources: PHOTOS.map((name) => ({ path: path.join(SAMPLES, name) })) }).id,
  );
  expect(imported.state).toBe('done');
  return { projectId: project.id, conceptId: concept.id, imageIds: services.images.list({ projectId: project.id }).map((image) => image.id) };
}

describe('pairs.cancelItem (real store, job runner and teacher)', () => {
  it('skips the cancelled photos of a running job, makes the others, and lists the skipped ones as cancelled', async () => {
    const { projectId, conceptId, imageIds } = await conceptWithPhotos();
    const job = await call<Job<'generate-pairs'>>('pairs.generate', { conceptId, imageIds });
    // The last photo is cancelled before the worker reaches it; the third once the job reports running.
    const first = await call<{ skippedImageIds: number[] }>('pairs.cancelItem', { jobId: job.id, imageId: imageIds[4] });
    expect(first.skippedImageIds).toEqual([imageIds[4]]);
    const whileRunning = new Promise<void>((resolve, reject) => {
      const stop = services.events.on('jobProgress', ({ jobId }) => {
        if (jobId !== job.id) return;
        stop();
        dispatch('pairs.cancelItem', { jobId: job.id, imageId: imageIds[2] }).then(
          (r) => (r.ok ? resolve() : reject(new Error(JSON.stringify(r.error)))),
          reject,
        );
      });
    });
    await whileRunning;
    const finished = await services.jobs.waitFor(job.id);
    expect(finished.state, finished.error ?? '').toBe('done');
    const result = finished.result as { pairIds: number[]; cancelled: number[] };
    expect([...result.cancelled].sort()).toEqual([imageIds[2], imageIds[4]].sort());
    const made = services.pairs.list({ conceptId }).map((pair) => pair.imageId);
    expect(made.sort()).toEqual([imageIds[0], imageIds[1], imageIds[3]].sort());
    expect(result.pairIds).toHaveLength(3);
    // The skip set lives in the stored job, so another process (or a resume) sees it too.
    expect(services.jobs.get({ jobId: job.id }).payload).toMatchObject({ skippedImageIds: [imageIds[4], imageIds[2]] });
    expect(emitted).toContainEqual({
      name: 'onPairItemCancelled',
      payload: { projectId, conceptId, jobId: job.id, imageId: imageIds[2], skippedImageIds: [imageIds[4], imageIds[2]] },
    });
  }, 60_000);

  it('refuses, naming the problem: unknown job, a photo outside the job, a finished job, a job of another kind', async () => {
    const { conceptId, imageIds } = await conceptWithPhotos();
    expect(await dispatch('pairs.cancelItem', { jobId: 999, imageId: imageIds[0] })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('job 999') },
    });
    const job = await call<Job<'generate-pairs'>>('pairs.generate', { conceptId, imageIds: imageIds.slice(0, 2) });
    expect(await dispatch('pairs.cancelItem', { jobId: job.id, imageId: imageIds[3] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining(`image ${imageIds[3]} is not one of the photos of job ${job.id}`) },
    });
    await services.jobs.waitFor(job.id);
    expect(await dispatch('pairs.cancelItem', { jobId: job.id, imageId: imageIds[0] })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining(`job ${job.id} is done`) },
    });
    const importJob = services.jobs.list().find((j) => j.kind === 'import-images')!;
    expect(await dispatch('pairs.cancelItem', { jobId: importJob.id, imageId: imageIds[0] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining("'import-images' job") },
    });
  }, 60_000);
});
