import { expect, test } from 'vitest';
import { stepsRatioLine, stepsToReach, type ConceptComparison } from '../../../scripts/bench-base-vs-scratch';
import type { FineTuneResult } from '../../../native-models/e2gan/base-eval';

const run = (points: Array<[number, number]>): FineTuneResult => ({
  curve: points.map(([step, psnr]) => ({ step, psnr })),
  final: { id: 'x', psnr: points.at(-1)![1], ssim: 0, identityPsnr: 0, identitySsim: 0, affinePsnr: 0, affineSsim: 0 },
  seconds: 1,
  trainPairs: 4,
});

test('stepsToReach ignores step 0 and returns the first scored step at or above the target', () => {
  const curve = run([
    [0, 30],
    [10, 12],
    [20, 15],
    [30, 18],
  ]).curve;
  expect(stepsToReach(curve, 15)).toBe(20);
  expect(stepsToReach(curve, 18.5)).toBeUndefined();
});

test('steps_ratio is the mean ratio, and says when it is only a lower bound', () => {
  const lora = run([
    [0, 10],
    [20, 20],
  ]);
  const reached: ConceptComparison = {
    concept: 'a',
    lora,
    scratch: run([
      [0, 10],
      [60, 20],
      [80, 21],
    ]),
    scratchStepsToMatch: 60,
  };
  const missed: ConceptComparison = {
    concept: 'b',
    lora,
    scratch: run([
      [0, 10],
      [80, 19],
    ]),
    scratchStepsToMatch: undefined,
  };
  expect(stepsRatioLine([reached], 20, 80)).toBe('steps_ratio=3.00');
  expect(stepsRatioLine([reached, missed], 20, 80)).toBe(
    "steps_ratio=3.50 (lower bound: scratch never reached LoRA's final PSNR within 80 steps for 1 of 2 concepts)",
  );
});
