import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Job, type Services, type TrainingProgress } from '../../../electron/services/index';
import { createTensor, openSession } from '../../../native-models/runtime/index';

const SAMPLES = path.resolve('resources/samples');
const PHOTOS = ['astronaut.jpg', 'brick.jpg', 'camera.jpg', 'chelsea.jpg', 'coffee.jpg'];
/** A tiny budget: 32x32, rank 2, CPU; enough to exercise every stage in seconds. */
const TINY = { steps: 2, size: 32, rank: 2, executionProvider: 'cpu' } as const;

let root: string;
let dataDir: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-'));
  dataDir = path.join(root, 'data');
  services = createServices({ dataDir });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** Project + concept (built-in sepia teacher) + imported sample photos + generated pairs. */
async function conceptWithPairs(): Promise<{ projectId: number; conceptId: number }> {
  const project = services.projects.create({ name: 'Flow' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Vintage', prompt: 'make it an old photo', teacher: 'sepia-vintage' });
  const imported = await services.jobs.waitFor(
    services.imports.start({ projectId: project.id, sources: PHOTOS.map((name) => ({ path: path.join(SAMPLES, name) })) }).id,
  );
  expect(imported.state).toBe('done');
  const imageIds = services.images.list({ projectId: project.id }).map((image) => image.id);
  const job = await services.jobs.waitFor(services.pairs.generate({ conceptId: concept.id, imageIds }).id);
  expect(job.state, job.error ?? '').toBe('done');
  return { projectId: project.id, conceptId: concept.id };
}

describe('studio flow back end (real store, job runner, teachers and trainer)', () => {
  it('lists built-in teachers and refuses a concept without a usable teacher, naming the problem', async () => {
    const teachers = await services.teachers.list();
    expect(teachers.find((t) => t.id === 'sepia-vintage')).toMatchObject({ kind: 'builtin' });
    const project = services.projects.create({ name: 'P' });
    const blank = services.concepts.create({ projectId: project.id, name: 'blank' });
    expect(() => services.pairs.generate({ conceptId: blank.id, imageIds: [1] })).toThrow(/has no teacher; choose one/);
    // A teacher that names nothing is refused when the concept is made; nothing is stored.
    expect(() => services.concepts.create({ projectId: project.id, name: 'odd', teacher: 'no-such-teacher' })).toThrow(
      /teacher: 'no-such-teacher' is not a built-in teacher \(known: .*sepia-vintage/,
    );
    expect(services.concepts.list({ projectId: project.id }).map((c) => c.name)).toEqual(['blank']);
    // A diffusion model may be installed after the concept is made (or removed after): generating checks it.
    const later = services.concepts.create({ projectId: project.id, name: 'later', teacher: 'diffusion:not-installed-yet' });
    expect(() => services.pairs.generate({ conceptId: later.id, imageIds: [1] })).toThrow(/diffusion model 'not-installed-yet' is not installed/);
  });

  it('generates pairs, curates, reduces to a subset, trains, serves a live model, and the run survives a restart', async () => {
    const pairEvents: number[] = [];
    services.events.on('pairsChanged', ({ conceptId }) => pairEvents.push(conceptId));
    const { projectId, conceptId } = await conceptWithPairs();

    const pairs = services.pairs.list({ conceptId });
    expect(pairs).toHaveLength(PHOTOS.length);
    expect(pairEvents).toContain(conceptId);
    for (const pair of pairs) {
      expect(pair.teacher).toEqual({ kind: 'builtin', id: 'sepia-vintage' });
      expect(pair.inputSha256).not.toBe(pair.targetSha256);
      // Sepia keeps each photo's structure, so the quality guard must pass every pair: all wait for curation.
      expect(pair.status, pair.reason ?? '').toBe('pending');
    }
    expect(readFileSync(services.images.blobPath(pairs[0]!.targetSha256)).subarray(1, 4).toString()).toBe('PNG');

    const rejected = services.pairs.setStatus({ pairId: pairs[0]!.id, status: 'rejected' });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'rejected by you' });
    // Generating again for the same photos keeps the existing pairs and their curation.
    const curated = services.pairs.list({ conceptId });
    const again = await services.jobs.waitFor(services.pairs.generate({ conceptId, imageIds: pairs.map((p) => p.imageId!) }).id);
    expect(again.state).toBe('done');
    expect(services.pairs.list({ conceptId })).toEqual(curated);
    expect(services.pairs.get({ pairId: pairs[0]!.id })).toEqual(rejected);
    const selection = await services.subset.select({ conceptId, targetCount: 2 });
    expect(selection.keptPairIds).toHaveLength(2);
    expect(selection.keptPairIds).not.toContain(pairs[0]!.id);
    const candidates = services.pairs
      .list({ conceptId })
      .filter((p) => p.status === 'pending')
      .map((p) => p.id);
    expect([...selection.keptPairIds, ...selection.droppedPairIds].sort()).toEqual(candidates.sort());
    expect(
      services.pairs
        .list({ conceptId })
        .filter((p) => p.inSubset === true)
        .map((p) => p.id)
        .sort(),
    ).toEqual([...selection.keptPairIds].sort());
    expect(await services.subset.select({ conceptId, targetCount: 2 })).toEqual(selection);

    const progress: TrainingProgress[] = [];
    services.events.on('trainingProgress', (event) => progress.push(event));
    const run = services.training.start({ conceptId, preset: 'fast', advanced: TINY });
    expect(run).toMatchObject({ state: 'queued', totalSteps: 2, settings: { size: 32, rank: 2, checkpointEvery: 1, previewEvery: 1 } });
    const job = (await services.jobs.waitFor(run.jobId!)) as Job<'train-run'>;
    expect(job.state, job.error ?? '').toBe('done');
    const trained = services.training.get({ runId: run.id });
    expect(trained).toMatchObject({ state: 'done', step: 2, executionProvider: 'cpu' });
    expect(trained.lossHistory.map((p) => p.step)).toEqual([1, 2]);
    expect(Object.values(trained.lossHistory[0]!.losses).every(Number.isFinite)).toBe(true);
    expect(trained.checkpoints.map((c) => c.step)).toEqual([1, 2]);
    // Step 0 baseline, step 1, and the final grid; one image each (one of the two kept pairs is held out).
    expect(trained.previews.map((p) => p.step)).toEqual([0, 1, 2]);
    // Each preview image names the (kept, held-out) pair it shows, for the A/B view against the teacher.
    for (const preview of trained.previews) {
      expect(preview.pairIds).toHaveLength(preview.sha256s.length);
      for (const pairId of preview.pairIds!) expect(selection.keptPairIds).toContain(pairId);
    }
    expect(progress.map((p) => p.step)).toContain(2);

    // The training job built the newest checkpoint's phone graph in its worker; get() only hands it out.
    expect(trained.checkpoints.at(-1)!.liveModelSha256).toMatch(/^[0-9a-f]{64}$/);
    const live = await services.liveModel.get({ runId: run.id });
    expect(live.sha256).toBe(trained.checkpoints.at(-1)!.liveModelSha256);
    expect(live).toMatchObject({ runId: run.id, step: 2, width: 32, height: 32, inputName: 'image', outputName: 'styled' });
    const session = await openSession(services.images.blobPath(live.sha256), { executionProviders: ['cpu'] });
    const pixels = new Uint8Array(32 * 32 * 4).map((_, i) => (i * 37) % 256);
    const out = await session.run({ image: createTensor('uint8', pixels, [1, 32, 32, 4]) });
    expect(out.styled!.dims).toEqual([1, 32, 32, 4]);
    session.release();
    expect((await services.liveModel.get({ runId: run.id })).sha256).toBe(live.sha256);

    await services.close();
    services = createServices({ dataDir });
    const reopened = services.training.list({ projectId, conceptId });
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ id: run.id, state: 'done', step: 2 });
    expect(reopened[0]!.lossHistory).toEqual(trained.lossHistory);
    expect(services.pairs.list({ conceptId }).find((p) => p.id === pairs[0]!.id)!.status).toBe('rejected');
  }, 180_000);
});
