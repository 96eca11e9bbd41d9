/**
 * fineTune: the engine's in-memory training entry point (pairs, settings, checkpoints and events in memory), and
 * trainRun as its folder adapter. Targets are a known operator of the input (colour inversion).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_AUGMENTATION } from '../../../native-models/e2gan/augment';
import { loadConceptDelta } from '../../../native-models/e2gan/concept';
import {
  DEFAULT_SETTINGS,
  fineTune,
  trainRun,
  type FineTuneEvent,
  type FineTuneSettings,
  type NamedPair,
  type TrainedGenerator,
} from '../../../native-models/e2gan/trainer';
import { MemoryCheckpoints } from '../../../native-models/e2gan/training-loop';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { writeImage } from '../../../native-models/image/io';
import { ComputeClient } from '../../../native-models/runtime';
import { createRng } from '../../../native-models/util/rng';

function makePairs(count: number, width: number, height = width): NamedPair[] {
  const rng = createRng(42);
  return Array.from({ length: count }, (_, k) => {
    const input = createImage(width, height);
    for (let i = 0; i < input.data.length; i++) input.data[i] = 0.5 + 0.4 * Math.sin((i % (width * 3)) * 0.3 + k) * rng.next();
    const target = createImage(width, height);
    for (let i = 0; i < input.data.length; i++) target.data[i] = 1 - input.data[i]!;
    return { name: `p${k}`, input, target };
  });
}

const settings: FineTuneSettings = {
  ...DEFAULT_SETTINGS,
  preset: 'tiny',
  size: 16,
  steps: 4,
  batch: 2,
  ranks: 2,
  checkpointEvery: 2,
  previewEvery: 2,
  heldOut: 1,
  warmupSteps: 1,
  augment: { ...NO_AUGMENTATION, flipProbability: 0.5 },
};

const losses = (history: readonly { losses: Record<string, number> }[]) => history.map((r) => [r.losses.loss_g, r.losses.loss_d]);

function loraOf(model: TrainedGenerator | undefined): Map<string, Float32Array> {
  if (model?.kind !== 'concept') throw new Error(`expected a concept delta, got ${model?.kind}`);
  return new Map([...model.delta.lora, ['tokens', model.delta.tokens]]);
}

describe('fineTune (in memory)', () => {
  let compute: ComputeClient;
  beforeAll(() => {
    compute = ComputeClient.start();
  });
  afterAll(async () => {
    await compute.terminate();
  });

  test('previews, checkpoints and the trained delta come back in memory; stop + resume from the store reproduces the straight run', async () => {
    const pairs = makePairs(4, 16);
    const events: FineTuneEvent[] = [];
    const straight = await fineTune({ pairs, settings, compute, onEvent: (e) => void events.push(e) });
    expect(straight.completed).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['started', 'preview', 'step', 'step', 'checkpoint', 'preview', 'step', 'step', 'checkpoint', 'preview', 'done']);
    const preview = events.find((e) => e.type === 'preview')!;
    if (preview.type !== 'preview') throw new Error('unreachable');
    expect(preview.images.map((p) => p.name)).toEqual(['p3']); // the held-out pair
    expect([preview.images[0]!.image.width, preview.images[0]!.image.height]).toEqual([16, 16]);
    const checkpointEvent = events.find((e) => e.type === 'checkpoint')!;
    expect(checkpointEvent).toMatchObject({ type: 'checkpoint', step: 2, path: 'checkpoint of step 2 (in memory)' });
    expect(straight.keptStep).toBeGreaterThan(0);
    expect(Number.isFinite(straight.heldOutPsnr)).toBe(true);

    const store = new MemoryCheckpoints();
    const first = await fineTune({ pairs, settings, compute, checkpoints: store, stopAfter: 2 });
    expect(first).toMatchObject({ completed: false, step: 2 });
    expect(await store.listCheckpoints()).toEqual([2]);
    const resumedEvents: FineTuneEvent[] = [];
    const resumed = await fineTune({ pairs, settings, compute, checkpoints: store, resume: true, onEvent: (e) => void resumedEvents.push(e) });
    expect(resumedEvents[0]).toMatchObject({ type: 'started', step: 2, totalSteps: 4 });
    expect(losses(resumed.lossHistory)).toEqual(losses(straight.lossHistory));
    expect(resumed.keptStep).toBe(straight.keptStep);
    const a = loraOf(straight.model);
    const b = loraOf(resumed.model);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, data] of a) expect(b.get(name), name).toEqual(data);
  });

  test('trainRun is its folder adapter: same losses and the same delta, written as files', async () => {
    const pairs = makePairs(4, 16);
    const dir = mkdtempSync(join(tmpdir(), 'e2gan-pairs-'));
    for (const pair of pairs) {
      await writeImage(join(dir, `${pair.name}.input.png`), pair.input);
      await writeImage(join(dir, `${pair.name}.target.png`), pair.target);
    }
    // PNG stores 8 bits per channel: train in memory on exactly what the folder holds.
    const quantised = (image: RgbImage): RgbImage => ({ ...image, data: image.data.map((v) => Math.round(v * 255) / 255) });
    const memory = await fineTune({
      pairs: pairs.map((p) => ({ name: p.name, input: quantised(p.input), target: quantised(p.target) })),
      settings,
      compute,
      previews: false,
    });
    const run = join(mkdtempSync(join(tmpdir(), 'e2gan-run-')), 'run');
    const folder = await trainRun(run, { ...settings, pairs: dir }, { compute, previews: false });
    expect(losses(folder.lossHistory)).toEqual(losses(memory.lossHistory));
    expect(readdirSync(run).sort()).toEqual(['checkpoints', 'concept.safetensors', 'run.json']);
    const written = await loadConceptDelta(folder.output!);
    const inMemory = loraOf(memory.model);
    for (const [name, data] of written.lora) expect(data, name).toEqual(inMemory.get(name));
    expect(written.tokens).toEqual(inMemory.get('tokens'));
  });

  test('pairs of another size are resized to settings.size; bad pairs are named errors', async () => {
    const result = await fineTune({ pairs: makePairs(2, 24, 20), settings: { ...settings, steps: 1, heldOut: 0 }, compute, previews: false });
    expect(result.completed).toBe(true);
    const [good] = makePairs(1, 16);
    const mismatched = { name: 'odd', input: createImage(16, 16), target: createImage(12, 16) };
    await expect(fineTune({ pairs: [good!, mismatched], settings, compute })).rejects.toThrow(/'odd' target is 12x16 but its input is 16x16/);
    await expect(fineTune({ pairs: [], settings, compute })).rejects.toThrow(/no usable pairs/);
    await expect(fineTune({ pairs: [good!], settings: { ...settings, steps: 0 }, compute })).rejects.toThrow(/steps: expected a positive integer/);
  });
});
