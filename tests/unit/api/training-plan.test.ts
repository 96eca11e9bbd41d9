/**
 * What a run would do, before it starts: the train / held-out split matches the trainer's (the highest ids are
 * held out, rejected and subset-dropped pairs are left out with why, "to review" pairs are named), and the time
 * estimate comes only from a speed a run measured on this machine.
 */
import { describe, expect, it } from 'vitest';
import type { PairRecord } from '../../../electron/domain/pair-types';
import type { TrainingSettingsSummary } from '../../../electron/domain/training-types';
import { estimateTrainingTime } from '../../../electron/services/training-estimate';
import { heldOutCountFor, planTrainingPairs } from '../../../electron/domain/training-pairs';
import { resolveTrainingSettings } from '../../../electron/services/training-presets';

function pair(id: number, status: PairRecord['status'], inSubset: boolean | null = null): PairRecord {
  return {
    id,
    projectId: 1,
    conceptId: 1,
    imageId: id,
    name: `p${id}`,
    inputSha256: 'a',
    targetSha256: 'b',
    status,
    reason: null,
    seed: 0,
    teacher: { kind: 'builtin', id: 'sepia-vintage' },
    inSubset,
    createdAt: '',
    updatedAt: '',
  };
}

describe('planTrainingPairs', () => {
  it('holds out the highest ids and lists what is left out and why', () => {
    const plan = planTrainingPairs([
      pair(9, 'accepted'),
      pair(2, 'accepted'),
      pair(3, 'rejected'),
      pair(4, 'pending'),
      pair(5, 'accepted'),
      pair(6, 'guard-rejected'),
      pair(7, 'accepted'),
      pair(8, 'accepted'),
      pair(10, 'accepted'),
      pair(11, 'accepted', false),
    ]);
    expect(plan.trainPairIds).toEqual([2, 4, 5, 7, 8]);
    expect(plan.heldOutPairIds).toEqual([9, 10]);
    expect(plan.excluded).toEqual([
      { pairId: 3, reason: 'rejected' },
      { pairId: 6, reason: 'rejected by the quality guard' },
      { pairId: 11, reason: 'left out by the representative subset' },
    ]);
    expect(plan.unreviewedPairIds).toEqual([4]);
  });

  it('holds nothing out of tiny sets', () => {
    expect([1, 2, 3, 5, 6, 40].map(heldOutCountFor)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(planTrainingPairs([pair(1, 'accepted'), pair(2, 'accepted')]).heldOutPairIds).toEqual([]);
  });
});

describe('estimateTrainingTime', () => {
  const settings = (size: number, steps: number, executionProvider: TrainingSettingsSummary['executionProvider'] = 'auto') =>
    resolveTrainingSettings('fast', { size, steps, executionProvider });

  it('is null before any run measured a speed', () => {
    expect(estimateTrainingTime(settings(128, 300), [])).toBeNull();
  });

  it('prefers a run at the same resolution and scales others by area', () => {
    const measured = [
      { runId: 5, settings: settings(64, 10), itPerSec: 8, executionProvider: 'cpu' },
      { runId: 4, settings: settings(128, 10), itPerSec: 2, executionProvider: 'cpu' },
    ];
    expect(estimateTrainingTime(settings(128, 300), measured)).toEqual({ seconds: 150, basis: 'run #4 measured 2.00 steps/s on cpu', scaled: false });
    const scaled = estimateTrainingTime(settings(256, 300), measured)!;
    // 300 steps at 8 steps/s, times (256/64)^2 = 16 for the pixel count.
    expect(scaled.seconds).toBe(600);
    expect(scaled.basis).toContain('scaled from 64 px to 256 px');
    expect(scaled.scaled).toBe(true);
  });

  it('only uses runs on the execution provider asked for', () => {
    const measured = [{ runId: 1, settings: settings(128, 10), itPerSec: 2, executionProvider: 'cpu' }];
    expect(estimateTrainingTime(settings(128, 300, 'webgpu'), measured)).toBeNull();
  });
});
