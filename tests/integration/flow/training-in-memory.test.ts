/**
 * A studio training run drives the engine in memory (issue 17): the job decodes the concept's pairs from the
 * blob store, trains through fineTune with store-backed checkpoints, and stores preview images as blobs. It
 * must not export the pairs (or previews) as an image folder the trainer reads back, nor keep a run.json beside
 * the database row. Real store, real job runner and compute worker; the data folder is watched at every step.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';
import { openStore } from '../../../electron/store/store';

const IMAGE_FILE = /\.(png|jpe?g|webp|avif|tiff?|bmp|gif)$/i;

let root: string;
let dataDir: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-train-memory-'));
  dataDir = path.join(root, 'data');
  services = createServices({ dataDir });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** Every file and folder below `dir`, relative to it. */
function walk(dir: string): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    (entry.isDirectory() ? folders : files).push(relative);
  }
  return { files, folders };
}

/** What a regression would leave: image files anywhere in the data folder, a pairs/ or previews/ folder, a run.json. */
function imageFolderTraces(): string[] {
  const { files, folders } = walk(dataDir);
  return [
    ...files.filter((file) => IMAGE_FILE.test(file) || path.basename(file) === 'run.json'),
    ...folders.filter((folder) => ['pairs', 'previews'].includes(path.basename(folder)) || folder.startsWith('staging/')),
  ];
}

async function conceptWithPairs(count: number): Promise<{ conceptId: number; pairIds: number[] }> {
  const project = services.projects.create({ name: 'Memory' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Tint' });
  const dir = path.join(root, 'import');
  mkdirSync(dir);
  for (let i = 0; i < count; i++) {
    const colour = { r: 40 + 50 * i, g: 120, b: 200 - 40 * i };
    await sharp({ create: { width: 40, height: 40, channels: 3, background: colour } })
      .png()
      .toFile(path.join(dir, `p${i}.input.png`));
    await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: colour.r, g: 80, b: 60 } } })
      .png()
      .toFile(path.join(dir, `p${i}.target.png`));
  }
  const imported = await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
  expect(imported.pairIds).toHaveLength(count);
  return { conceptId: concept.id, pairIds: imported.pairIds };
}

function engineOnRow(runId: number) {
  const store = openStore(dataDir);
  try {
    return store.trainingRuns.engineOf(runId);
  } finally {
    store.close();
  }
}

describe('a studio training run writes and reads no image folder', () => {
  it('trains from the blob store in memory: no pair or preview images on disk at any step, settings only on the row', async () => {
    const { conceptId, pairIds } = await conceptWithPairs(3);
    const seen = new Set<string>();
    let checks = 0;
    services.events.on('trainingProgress', () => {
      checks += 1;
      for (const trace of imageFolderTraces()) seen.add(trace);
    });
    const run = services.training.start({ conceptId, preset: 'fast', advanced: { steps: 4, size: 32, rank: 2, executionProvider: 'cpu' } });
    const job = await services.jobs.waitFor(run.jobId!);
    expect(job.state, job.error ?? '').toBe('done');
    for (const trace of imageFolderTraces()) seen.add(trace);

    const done = services.training.get({ runId: run.id });
    expect(done).toMatchObject({ state: 'done', step: 4 });
    expect(checks).toBeGreaterThanOrEqual(4);
    expect([...seen]).toEqual([]);

    // It did train, checkpoint and preview: the test is not passing because nothing ran.
    const runFiles = walk(run.runPath).files.sort();
    expect(runFiles).toContain('concept.safetensors');
    expect(runFiles.filter((file) => file.startsWith('checkpoints/')).length).toBeGreaterThan(0);
    expect(done.checkpoints.at(-1)!.step).toBe(4);
    expect(done.previews.length).toBeGreaterThan(0);
    // Previews are PNG blobs at the training size, labelled with the pair they show (the held-out one: the highest id).
    const last = done.previews.at(-1)!;
    const store = openStore(dataDir);
    try {
      for (const sha of last.sha256s) {
        const meta = await sharp(await store.blobs.read(sha)).metadata();
        expect(meta).toMatchObject({ format: 'png', width: 32, height: 32 });
      }
    } finally {
      store.close();
    }
    expect(last.pairIds).toEqual([Math.max(...pairIds)]);

    // The row is the one record of what the run trained with.
    const engine = engineOnRow(run.id)!;
    expect(engine.pairIds).toEqual([...pairIds].sort((a, b) => a - b));
    expect(engine.settings).toMatchObject({ size: 32, ranks: 2, heldOut: 1, executionProviders: ['cpu'] });
    expect(engine.settings).not.toHaveProperty('steps');
    expect(engine.settings).not.toHaveProperty('pairs');
  }, 240_000);

  it('a run started before the row held its settings (run.json + pairs/ folder) resumes from them once, then the files are gone', async () => {
    const { conceptId } = await conceptWithPairs(3);
    const run = services.training.start({ conceptId, preset: 'fast', advanced: { steps: 6, size: 32, rank: 2, executionProvider: 'cpu' } });
    await new Promise<void>((resolve) => {
      const stop = services.events.on('trainingProgress', (event) => {
        if (event.runId === run.id && event.step >= 1) {
          stop();
          resolve();
        }
      });
    });
    services.training.pause({ runId: run.id });
    await services.jobs.waitFor(run.jobId!);
    const paused = services.training.get({ runId: run.id });
    expect(paused.state).toBe('paused');
    const engine = engineOnRow(run.id)!;

    // What the job wrote before issue 17: the settings in run.json (with the pairs folder and the steps), the
    // pairs as <zero-padded id>-<name>.input/.target.png; and no engine settings on the row.
    const pairsDir = path.join(run.runPath, 'pairs');
    mkdirSync(pairsDir);
    const store = openStore(dataDir);
    try {
      for (const id of engine.pairIds) {
        const pair = store.pairs.get(id)!;
        const name = `${String(id).padStart(6, '0')}-${pair.name}`;
        writeFileSync(path.join(pairsDir, `${name}.input.png`), await store.blobs.read(pair.inputSha256));
        writeFileSync(path.join(pairsDir, `${name}.target.png`), await store.blobs.read(pair.targetSha256));
      }
      store.db.prepare(`UPDATE training_runs SET engine_settings = NULL WHERE id = ?`).run(run.id);
    } finally {
      store.close();
    }
    writeFileSync(path.join(run.runPath, 'run.json'), JSON.stringify({ ...engine.settings, steps: paused.totalSteps, pairs: pairsDir }));
    expect(engineOnRow(run.id)).toBeUndefined();

    services.training.resume({ runId: run.id });
    const job = await services.jobs.waitFor(services.training.get({ runId: run.id }).jobId!);
    expect(job.state, job.error ?? '').toBe('done');
    const done = services.training.get({ runId: run.id });
    expect(done).toMatchObject({ state: 'done', step: 6 });
    expect(done.lossHistory.map((point) => point.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(engineOnRow(run.id)).toEqual(engine);
    expect(imageFolderTraces()).toEqual([]);
  }, 240_000);
});
