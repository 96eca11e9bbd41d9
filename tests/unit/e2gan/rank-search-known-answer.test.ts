/**
 * Rank search against validation losses whose right answer is known in advance, so the test does not
 * restate the search's own acceptance rule: each layer has a hidden minimum rank below which the loss jumps,
 * and a budget case where every stripped LoRA costs a known amount.
 */
import { describe, expect, test } from 'vitest';
import { generatorPreset, loraEligibleLayers } from '../../../native-models/e2gan/config';
import { searchRanks, type Ranks } from '../../../native-models/e2gan/rank-search';

const config = generatorPreset('tiny', { height: 16, width: 16 });
const layers = loraEligibleLayers(config).map((l) => l.name);

describe('rank search finds the known answer', () => {
  test('per layer: every layer ends at exactly its hidden minimum rank', async () => {
    // Ranks reachable by halving from 8. A layer below its minimum adds 1.0 to the loss, far over a 5% budget.
    const reachable = [0, 1, 2, 4, 8];
    const required = Object.fromEntries(layers.map((name, i) => [name, reachable[(i * 3 + 1) % reachable.length]!]));
    const evaluate = async (ranks: Ranks): Promise<number> => 2 + layers.reduce((sum, name) => sum + (ranks[name]! < required[name]! ? 1 : 0), 0);
    const report = await searchRanks(config, evaluate, { startRank: 8, tolerance: 0.05, granularity: 'layer' });
    expect(report.ranks).toEqual(required);
    expect(report.finalLoss).toBe(2);
    expect(new Set(Object.values(required)).size).toBeGreaterThan(2);
  });

  test('the tolerance is a budget against the reference loss, not against the last accepted trial', async () => {
    // Rank >= 1 is free; removing a layer's LoRA (rank 0) costs 0.011 of a reference loss of 1. A 5% budget
    // pays for exactly 4 removals (0.044 <= 0.05 < 0.055): the first 4 layers searched lose their LoRA, the
    // rest keep rank 1. A search that compared with the last accepted loss would strip every layer.
    expect(layers.length).toBeGreaterThan(5);
    const evaluate = async (ranks: Ranks): Promise<number> => 1 + 0.011 * layers.filter((name) => ranks[name] === 0).length;
    const report = await searchRanks(config, evaluate, { startRank: 4, tolerance: 0.05, granularity: 'layer' });
    const expected = Object.fromEntries(layers.map((name, i) => [name, i < 4 ? 0 : 1]));
    expect(report.ranks).toEqual(expected);
    expect(report.finalLoss).toBeCloseTo(1.044, 12);
  });

  test('minRank is a floor the search never goes below, even where a lower rank would be free', async () => {
    const report = await searchRanks(config, async () => 1, { startRank: 8, minRank: 2, granularity: 'layer' });
    expect(report.ranks).toEqual(Object.fromEntries(layers.map((name) => [name, 2])));
  });
});
