import { expect, test } from 'vitest';
import { generatorPreset } from '../../../native-models/e2gan/config';
import { formatRankReport, searchRanks, type Ranks } from '../../../native-models/e2gan/rank-search';

const config = generatorPreset('tiny', { height: 16, width: 16 });

test('greedy halving keeps a group whose rank matters and strips one that does not', async () => {
  // A synthetic validation loss: the transformer needs rank >= 4, everything else is free to shrink.
  const evaluate = async (ranks: Ranks): Promise<number> => {
    const transformer = Object.entries(ranks)
      .filter(([n]) => n.includes('transformer'))
      .map(([, r]) => r);
    return 1 + (Math.min(...transformer) < 4 ? 0.5 : 0) + 0.001 * Object.values(ranks).filter((r) => r === 0).length;
  };
  const report = await searchRanks(config, evaluate, { startRank: 8, tolerance: 0.05 });
  const transformerRanks = Object.entries(report.ranks)
    .filter(([n]) => n.includes('transformer'))
    .map(([, r]) => r);
  expect(new Set(transformerRanks)).toEqual(new Set([4]));
  expect(report.ranks['generator.down_layer.conv']).toBe(0);
  expect(report.loraParameters).toBeLessThan(report.startParameters);
  expect(report.finalLoss).toBeLessThanOrEqual(report.referenceLoss * 1.05);
  // reference + transformer: 8->4 ok, 4->2 rejected; 5 other groups (incl. the colour head) x (8->4->2->1->0)
  expect(report.trials).toHaveLength(1 + 2 + 5 * 4);
  expect(formatRankReport(report)).toMatch(/Chosen ranks:\n {2}generator\.stem\.conv\s+0/);
});

test('a non-finite reference loss is an error', async () => {
  await expect(searchRanks(config, async () => NaN, { startRank: 2 })).rejects.toThrow(/non-finite validation loss/);
});

test('rank search over real short LoRA fine-tunes on a tiny configuration returns ranks and a report', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeImage } = await import('../../../native-models/image/io');
  const { createImage } = await import('../../../native-models/image/image');
  const { DEFAULT_SETTINGS } = await import('../../../native-models/e2gan/trainer');
  const { NO_AUGMENTATION } = await import('../../../native-models/e2gan/augment');
  const { runRankSearch } = await import('../../../native-models/e2gan/rank-search-run');
  const pairs = mkdtempSync(join(tmpdir(), 'rank-pairs-'));
  for (let k = 0; k < 3; k++) {
    const input = createImage(16, 16);
    for (let i = 0; i < input.data.length; i++) input.data[i] = 0.5 + 0.4 * Math.sin(i * 0.37 + k);
    const target = createImage(16, 16);
    for (let i = 0; i < input.data.length; i++) target.data[i] = 1 - input.data[i]!;
    await writeImage(join(pairs, `p${k}.input.png`), input);
    await writeImage(join(pairs, `p${k}.target.png`), target);
  }
  const trials: string[] = [];
  const report = await runRankSearch(
    { ...DEFAULT_SETTINGS, pairs, preset: 'tiny', size: 16, batch: 1, heldOut: 1, warmupSteps: 0, augment: NO_AUGMENTATION, learningRate: 5e-3 },
    { startRank: 1, trialSteps: 3, tolerance: 0.02, onTrial: (label) => trials.push(label) },
  );
  // reference + one halving attempt (1 -> 0) per paper group that was still at rank 1
  expect(trials[0]).toBe('reference');
  expect(trials.length).toBeGreaterThanOrEqual(2);
  expect(trials.length).toBeLessThanOrEqual(7);
  // 18 paper layers + the input skip (in the up-sampling stage group) + the colour head
  expect(Object.keys(report.ranks).length).toBe(20);
  expect(Object.values(report.ranks).every((r) => r === 0 || r === 1)).toBe(true);
  expect(Number.isFinite(report.referenceLoss)).toBe(true);
  expect(report.finalLoss).toBeLessThanOrEqual(report.referenceLoss * 1.02 + 1e-12);
  expect(formatRankReport(report)).toContain('Chosen ranks:');
});
