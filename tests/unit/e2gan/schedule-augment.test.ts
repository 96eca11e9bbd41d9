import { expect, test } from 'vitest';
import { emaDecayAt, learningRateAt, updateEma } from '../../../native-models/e2gan/schedule';
import { augmentPair, EpochSampler } from '../../../native-models/e2gan/augment';
import { createRng } from '../../../native-models/util/rng';
import { createImage } from '../../../native-models/image/image';

test('learning-rate schedules: warm-up, cosine and linear decay', () => {
  const s = { base: 1e-3, warmupSteps: 10, totalSteps: 110, decay: 'cosine' as const };
  expect(learningRateAt(s, 0)).toBeCloseTo(1e-4, 12);
  expect(learningRateAt(s, 9)).toBeCloseTo(1e-3, 12);
  expect(learningRateAt(s, 60)).toBeCloseTo(5e-4, 12);
  expect(learningRateAt(s, 110)).toBeCloseTo(0, 12);
  expect(learningRateAt({ ...s, decay: 'linear', minFactor: 0.1 }, 60)).toBeCloseTo(1e-4 + 0.9e-3 * 0.5, 12);
  expect(learningRateAt({ ...s, decay: 'constant' }, 100)).toBe(1e-3);
});

test('EMA update and its warm-up', () => {
  const ema = new Float32Array([0, 10]);
  updateEma(ema, new Float32Array([1, 0]), 0.9);
  expect([...ema].map((v) => +v.toFixed(5))).toEqual([0.1, 9]);
  expect(emaDecayAt(0.999, 0)).toBeCloseTo(0.1);
  expect(emaDecayAt(0.999, 1e6)).toBe(0.999);
  expect(() => updateEma(new Float32Array(2), new Float32Array(3), 0.5)).toThrow(/length 2 differs/);
});

test('pair augmentation applies the same crop and flip to input and target, deterministically', () => {
  // A horizontal gradient in both images, scaled differently, so any misalignment shows.
  const input = createImage(32, 24);
  const target = createImage(32, 24);
  for (let i = 0; i < 32 * 24; i++) {
    const x = i % 32;
    for (let c = 0; c < 3; c++) {
      input.data[i * 3 + c] = x / 31;
      target.data[i * 3 + c] = (x / 31) * 0.5;
    }
  }
  for (let seed = 0; seed < 5; seed++) {
    const a = augmentPair({ input, target }, createRng(seed), 16);
    for (let i = 0; i < a.input.data.length; i++) expect(a.target.data[i]).toBeCloseTo(a.input.data[i]! * 0.5, 5);
    const b = augmentPair({ input, target }, createRng(seed), 16);
    expect(b.input.data).toEqual(a.input.data);
  }
});

test('epoch sampler visits every index once per epoch and is seedable', () => {
  const sampler = new EpochSampler(5, createRng(1));
  const epoch = sampler.next(5);
  expect([...epoch].sort()).toEqual([0, 1, 2, 3, 4]);
  expect(new EpochSampler(5, createRng(1)).next(7)).toEqual([...epoch, ...new EpochSampler(5, createRng(1)).next(7).slice(5)]);
});
