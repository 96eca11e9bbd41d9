import { expect, test } from 'vitest';
import { generatorPreset } from '../../../native-models/e2gan/config';
import { formatRankReport, searchRanks, type Ranks } from '../../../native-models/e2gan/rank-search';

const config = generatorPreset('tiny', { height: 16, width: 16 });

test('greedy halving keeps a group whose rank matters and strips one that does not', async () => {
  // A synthetic validation loss: the transformer needs rank >= 4, everything else is free to shrink.
  const evaluate = async (ranks: Ranks): Promise<number> => {
    const transformer = Object.entries(ranks).filter(([n]) => n.includes('transformer')).map(([, r]) => r);
    return 1 + (Math.min(...transformer) < 4 ? 0.5 : 0) + 0.001 * Object.values(ranks).filter((r) => r === 0).length;
  };
  const report = await searchRanks(config, evaluate, { startRank: 8, tolerance: 0.05 });
  const transformerRanks = Object.entries(report.ranks).filter(([n]) => n.includes('transformer')).map(([, r]) => r);
  expect(new Set(transformerRanks)).toEqual(new Set([4]));
  expect(report.ranks['generator.down_layer.conv']).toBe(0);
  expect(report.loraParameters).toBeLessThan(report.startParameters);
  expect(report.finalLoss).toBeLessThanOrEqual(report.referenceLoss * 1.05);
  // reference + transformer: 8->4 ok, 4->2 rejected; 4 other groups x (8->4->2->1->0)
  expect(report.trials).toHaveLength(1 + 2 + 4 * 4);
  expect(formatRankReport(report)).toMatch(/Chosen ranks:\n {2}generator\.stem\.conv\s+0/);
});

test('a non-finite reference loss is an error', async () => {
  await expect(searchRanks(config, async () => NaN, { startRank: 2 })).rejects.toThrow(/non-finite validation loss/);
});
