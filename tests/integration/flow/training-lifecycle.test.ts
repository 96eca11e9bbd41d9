import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services, type TrainingRun } from '../../../electron/services/index';

const TINY = { steps: 6, size: 32, rank: 2, executionProvider: 'cpu' } as const;

let root: string;
let dataDir: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-run-'));
  dataDir = path.join(root, 'data');
  services = createServices({ dataDir });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** A smooth, structured picture (gradients + a square), different per seed; its "target" is a tinted copy. */
async function writePair(dir: string, name: string, seed: number): Promise<void> {
  const size = 40;
  const input = Buffer.alloc(size * size * 3);
  const target = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const square = x > 10 + seed && x < 25 + seed && y > 8 && y < 28 ? 90 : 0;
      input[i] = (x * 5 + seed * 30 + square) % 256;
      input[i + 1] = (y * 5 + square) % 256;
      input[i + 2] = ((x + y) * 2) % 256;
      target[i] = Math.min(255, input[i]! + 40);
      target[i + 1] = input[i + 1]!;
      target[i + 2] = Math.max(0, input[i + 2]! - 40);
    }
  }
  mkdirSync(dir, { recursive: true });
  await sharp(input, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(path.join(dir, `${name}.input.png`));
  await sharp(target, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(path.join(dir, `${name}.target.png`));
}

async function conceptWithImportedPairs(): Promise<number> {
  const project = services.projects.create({ name: 'Runs' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Warm' });
  const dir = path.join(root, 'pairs');
  for (const seed of [0, 1, 2]) await writePair(dir, `p${seed}`, seed);
  await sharp({ create: { width: 20, height: 20, channels: 3, background: '#808080' } })
    .png()
    .toFile(path.join(dir, 'odd.input.png'));
  const result = await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
  expect(result.pairIds).toHaveLength(3);
  expect(result.skipped).toEqual([{ name: 'odd', reason: 'no target image with the same name' }]);
  const twice = await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
  expect(twice.pairIds).toEqual([]);
  expect(twice.skipped.filter((s) => s.reason.startsWith('same input and target as pair'))).toHaveLength(3);
  return concept.id;
}

/** Resolves once the run has recorded at least one step. */
function firstStep(runId: number): Promise<void> {
  return new Promise((resolve) => {
    const stop = services.events.on('trainingProgress', (event) => {
      if (event.runId === runId && event.step >= 1) {
        stop();
        resolve();
      }
    });
  });
}

async function finished(run: TrainingRun): Promise<TrainingRun> {
  await services.jobs.waitFor(services.training.get({ runId: run.id }).jobId!);
  return services.training.get({ runId: run.id });
}

describe('training runs: pause, resume, extend, restart', () => {
  it('imports NAME.input / NAME.target pairs; pause checkpoints and stops, resume continues without redoing the curve, extend adds steps', async () => {
    const conceptId = await conceptWithImportedPairs();
    const pair = services.pairs.list({ conceptId })[0]!;
    expect(pair).toMatchObject({ imageId: null, teacher: { kind: 'imported' }, status: 'pending' });
    expect(() => services.pairs.regenerate({ pairId: pair.id })).toThrow(/was imported; only generated pairs can be regenerated/);

    const run = services.training.start({ conceptId, preset: 'balanced', advanced: TINY });
    await firstStep(run.id);
    services.training.pause({ runId: run.id });
    const paused = await finished(run);
    expect(paused.state).toBe('paused');
    expect(paused.step).toBeGreaterThanOrEqual(1);
    expect(paused.step).toBeLessThan(6);
    expect(paused.checkpoints.at(-1)!.step).toBe(paused.step);
    expect(() => services.training.pause({ runId: run.id })).toThrow(/only a queued or running run can be paused/);

    services.training.resume({ runId: run.id });
    const done = await finished(run);
    expect(done).toMatchObject({ state: 'done', step: 6 });
    expect(done.lossHistory.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);

    await services.training.extend({ runId: run.id, steps: 2 });
    const extended = await finished(run);
    expect(extended).toMatchObject({ state: 'done', step: 8, totalSteps: 8 });
    expect(extended.lossHistory.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 240_000);

  it('a run stopped by closing the app comes back interrupted and can be extended past its old end', async () => {
    const conceptId = await conceptWithImportedPairs();
    const run = services.training.start({ conceptId, preset: 'fast', advanced: TINY });
    await firstStep(run.id);
    await services.close();

    services = createServices({ dataDir });
    const interrupted = services.training.get({ runId: run.id });
    expect(interrupted.state).toBe('interrupted');
    expect(interrupted.step).toBeLessThan(6);
    const interruptedJobId = interrupted.jobId!;
    // Extending an interrupted run continues it (to the new total) in a fresh job; the old job is given up.
    await services.training.extend({ runId: run.id, steps: 2 });
    expect(services.jobs.get({ jobId: interruptedJobId }).state).toBe('cancelled');
    const done = await finished(run);
    expect(done).toMatchObject({ state: 'done', step: 8, totalSteps: 8 });
    expect(done.lossHistory.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => services.training.resume({ runId: run.id })).toThrow(/only a paused, interrupted or failed run can be resumed/);
  }, 240_000);
});
