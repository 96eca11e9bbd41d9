import { expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseSettings, describeBaseTraining, exportBaseFromCheckpoint, readBaseConfig, trainBase } from '../../../native-models/e2gan/base-trainer';
import { RunDir } from '../../../native-models/e2gan/run-dir';
import { loadBaseModel } from '../../../native-models/e2gan/weights';
import { TOKEN_TABLE_NAME } from '../../../native-models/e2gan/train-step';
import { splitConcepts } from '../../../native-models/e2gan/base-data';

const samples = new URL('../../../resources/samples/', import.meta.url).pathname;
const settings = baseSettings({
  photos: [samples],
  concepts: ['sepia-vintage', 'color-invert', 'pencil-sketch'],
  size: 16,
  steps: 4,
  batch: 1,
  checkpointEvery: 2,
  seed: 3,
});

test('base run: fp16 base file round-trips the trained state; stop + resume reproduces the uninterrupted run', { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'base-train-'));
  const straight = await trainBase(join(root, 'straight'), settings);
  expect(straight.completed).toBe(true);
  const base = await loadBaseModel(straight.output!);
  expect(base.generatorConfig.height).toBe(16);
  expect([...base.conceptTokens!.keys()].sort()).toEqual(['color-invert', 'pencil-sketch', 'sepia-vintage']);
  expect(base.discriminator!.size).toBeGreaterThan(0);
  // Round trip: the fp16 file holds the final fp32 state to fp16 precision.
  const final = await new RunDir(join(root, 'straight')).loadCheckpoint(4);
  const stem = final.tensors.get('state.generator.stem.conv.weight')!.data;
  const loaded = base.generator.get('generator.stem.conv.weight')!;
  expect(loaded.length).toBe(stem.length);
  for (let i = 0; i < stem.length; i++) expect(Math.abs(loaded[i]! - stem[i]!)).toBeLessThanOrEqual(Math.abs(stem[i]!) * 1e-3 + 1e-6);
  const table = final.tensors.get(`state.${TOKEN_TABLE_NAME}`)!.data;
  const row = table.length / 3;
  const pencil = base.conceptTokens!.get('pencil-sketch')!;
  for (let i = 0; i < row; i++) expect(Math.abs(pencil[i]! - table[2 * row + i]!)).toBeLessThanOrEqual(Math.abs(table[2 * row + i]!) * 1e-3 + 1e-6);

  const interrupted = join(root, 'interrupted');
  const first = await trainBase(interrupted, settings, { stopAfter: 2 });
  expect(first.completed).toBe(false);
  expect(first.step).toBe(2);
  const resumed = await trainBase(interrupted, undefined, { resume: true });
  expect(resumed.completed).toBe(true);
  expect(resumed.lossHistory.map((r) => r.losses.concept)).toEqual(straight.lossHistory.map((r) => r.losses.concept));
  for (let i = 0; i < 4; i++) expect(resumed.lossHistory[i]!.losses.loss_g!).toBeCloseTo(straight.lossHistory[i]!.losses.loss_g!, 4);
  const a = await loadBaseModel(straight.output!);
  const b = await loadBaseModel(resumed.output!);
  const wa = a.generator.get('generator.out.conv.weight')!;
  const wb = b.generator.get('generator.out.conv.weight')!;
  for (let i = 0; i < wa.length; i++) expect(wb[i]!).toBeCloseTo(wa[i]!, 4);

  // A stopped run can still ship what it has.
  const exported = await exportBaseFromCheckpoint(interrupted);
  expect(exported.step).toBe(4);
  const config = JSON.parse(await readFile(join(interrupted, 'base.json'), 'utf8'));
  expect(config.concepts).toEqual(['sepia-vintage', 'color-invert', 'pencil-sketch']);
  expect(config.heldOutConcepts).toHaveLength(4);
  await expect(trainBase(interrupted, settings)).rejects.toThrow(/a run already exists there/);
});

test('a stage that continues an earlier base records every stage, so base.json says how long the base really trained', { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'base-stages-'));
  const first = await trainBase(join(root, 'stage-1'), settings);
  const second = await trainBase(join(root, 'stage-2'), { ...settings, steps: 2, learningRate: settings.learningRate / 2, init: first.output! });
  const config = await readBaseConfig(second.output!);
  expect(config!.steps).toBe(2);
  expect(config!.stages!.map((s) => [s.steps, s.learningRate])).toEqual([
    [4, settings.learningRate],
    [2, settings.learningRate / 2],
  ]);
  expect(config!.totalSteps).toBe(6);
  expect(describeBaseTraining(config!)).toBe('6 steps in 2 stages at 16 px');
  // A base.json from before stages were recorded counts as one stage.
  const { stages: _stages, totalSteps: _total, totalSeconds: _seconds, ...old } = (await readBaseConfig(first.output!))!;
  expect(describeBaseTraining(old)).toBe('4 steps at 16 px');
});

test('concept split: unknown ids, trained+held-out overlap and an empty list are named errors', () => {
  expect(() => splitConcepts(['sepia-vintage', 'no-such'])).toThrow(/unknown concept teacher 'no-such'/);
  expect(() => splitConcepts(['sepia-vintage', 'halftone'])).toThrow(/halftone are both trained and held out/);
  expect(() => splitConcepts(['halftone'], ['halftone'])).toThrow(/both trained and held out/);
  const split = splitConcepts(undefined);
  expect(split.heldOut.map((t) => t.id)).toEqual(['watercolour', 'halftone', 'thermal-camera', 'cyanotype']);
  expect(split.trained.some((t) => t.id === 'halftone')).toBe(false);
  expect(split.trained.length).toBeGreaterThanOrEqual(12);
});
