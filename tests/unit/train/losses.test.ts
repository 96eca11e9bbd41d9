import { describe, expect, test } from 'vitest';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { createTensor, openSession, toFloat32Array } from '../../../native-models/runtime';
import { bceWithLogits, ganDiscriminatorLoss, ganGeneratorLoss, l1Loss, mseLoss, type GanLossKind } from '../../../native-models/train/losses';

// Logits include large magnitudes: the softplus must not overflow to inf at |x| = 100.
const real = [2.5, -0.3, 0.9, 100, -1.2, 0.05];
const fake = [-1.5, 0.7, -100, 0.2, 3, -0.4];
const target = [0, 1, 1, 0.3, 0.5, 0];
const shape = [2, 3];

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
const relu = (x: number) => Math.max(0, x);

const reference = {
  l1: mean(real.map((r, i) => Math.abs(r - fake[i]!))),
  mse: mean(real.map((r, i) => (r - fake[i]!) ** 2)),
  // Textbook -[t·log σ(x) + (1-t)·log(1-σ(x))]; at x = 100, log σ(x) ≈ 0 and log(1-σ(x)) ≈ -x (the direct
  // formula would hit log(0) in float64 too).
  bce: mean(
    real.map((x, i) => {
      const t = target[i]!;
      if (x > 30) return (1 - t) * x;
      const s = 1 / (1 + Math.exp(-x));
      return -(t * Math.log(s) + (1 - t) * Math.log(1 - s));
    }),
  ),
  d: {
    lsgan: 0.5 * (mean(real.map((r) => (r - 1) ** 2)) + mean(fake.map((f) => f * f))),
    hinge: mean(real.map((r) => relu(1 - r))) + mean(fake.map((f) => relu(1 + f))),
    bce: mean(real.map((r) => softplus(-r))) + mean(fake.map((f) => softplus(f))),
  },
  g: {
    lsgan: mean(fake.map((f) => (f - 1) ** 2)),
    hinge: -mean(fake),
    bce: mean(fake.map((f) => softplus(-f))),
  },
};

async function evaluate(emit: (b: GraphBuilder, r: Value, f: Value, t: Value) => Value): Promise<number> {
  const b = new GraphBuilder('loss');
  const r = b.input('real', 'float32', shape);
  const f = b.input('fake', 'float32', shape);
  const t = b.input('target', 'float32', shape);
  b.output(b.add(emit(b, r, f, t), b.mul(b.reduceSum(b.add(b.add(r, f), t), undefined, false), 0)), 'loss');
  const session = await openSession(b.build());
  const out = await session.run({
    real: createTensor('float32', Float32Array.from(real), shape),
    fake: createTensor('float32', Float32Array.from(fake), shape),
    target: createTensor('float32', Float32Array.from(target), shape),
  });
  await session.release();
  expect(out['loss']!.dims).toEqual([]);
  return toFloat32Array(out['loss']!)[0]!;
}

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));

describe('losses vs float64 references', () => {
  test('L1 and MSE', async () => {
    close(await evaluate((b, r, f) => l1Loss(b, r, f)), reference.l1);
    close(await evaluate((b, r, f) => mseLoss(b, r, f)), reference.mse);
  });

  test('BCE with logits (finite at |x| = 100)', async () => {
    const value = await evaluate((b, r, _f, t) => bceWithLogits(b, r, t));
    expect(Number.isFinite(value)).toBe(true);
    close(value, reference.bce);
  });

  const kinds: GanLossKind[] = ['lsgan', 'hinge', 'bce'];
  test.each(kinds)('%s generator and discriminator losses', async (kind) => {
    close(await evaluate((b, r, f) => ganDiscriminatorLoss(b, kind, r, f)), reference.d[kind]);
    close(await evaluate((b, _r, f) => ganGeneratorLoss(b, kind, f)), reference.g[kind]);
  });

  test('shape mismatch names both shapes', () => {
    const b = new GraphBuilder('bad');
    expect(() => l1Loss(b, b.input('a', 'float32', [2, 3]), b.input('c', 'float32', [3, 2]))).toThrow(/l1Loss: prediction \[2, 3\] and target \[3, 2\]/);
  });
});
