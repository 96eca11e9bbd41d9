import { describe, expect, test } from 'vitest';
import { edgeLoss } from '../../../native-models/e2gan/train-step';
import { validateSettings, DEFAULT_SETTINGS } from '../../../native-models/e2gan/trainer';
import { GraphBuilder } from '../../../native-models/graph';
import { openSession, tensorFromValues, toFloat32Array } from '../../../native-models/runtime/index';
import { createRng } from '../../../native-models/util/rng';

const SHAPE = [2, 3, 5, 7] as const;

async function edgeLossOf(fake: Float32Array, target: Float32Array): Promise<number> {
  const b = new GraphBuilder('edge_loss');
  const f = b.input('fake', 'float32', SHAPE);
  const t = b.input('target', 'float32', SHAPE);
  b.output(edgeLoss(b, f, t), 'loss');
  const session = await openSession(b.build());
  try {
    const out = await session.run({ fake: tensorFromValues('float32', fake, [...SHAPE]), target: tensorFromValues('float32', target, [...SHAPE]) });
    return toFloat32Array(out['loss']!)[0]!;
  } finally {
    await session.release();
  }
}

/** The same quantity written out with loops over (n, c, y, x). */
function edgeLossByHand(fake: Float32Array, target: Float32Array): number {
  const [n, c, h, w] = SHAPE;
  const d = (i: number, ch: number, y: number, x: number): number => {
    const k = ((i * c + ch) * h + y) * w + x;
    return fake[k]! - target[k]!;
  };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) for (let x = 0; x + 1 < w; x++) sx += Math.abs(d(i, ch, y, x + 1) - d(i, ch, y, x));
      for (let y = 0; y + 1 < h; y++) for (let x = 0; x < w; x++) sy += Math.abs(d(i, ch, y + 1, x) - d(i, ch, y, x));
    }
  }
  return sx / (n * c * h * (w - 1)) + sy / (n * c * (h - 1) * w);
}

describe('edge loss (L1 on image gradients)', () => {
  const rng = createRng(5);
  const size = SHAPE.reduce((a, b) => a * b, 1);
  const fake = Float32Array.from({ length: size }, () => rng.normal());
  const target = Float32Array.from({ length: size }, () => rng.normal());

  test('equals the mean absolute difference of horizontal and vertical pixel differences', async () => {
    expect(await edgeLossOf(fake, target)).toBeCloseTo(edgeLossByHand(fake, target), 5);
  });

  test('ignores a constant offset (plain L1 does not) and sees a one-pixel line', async () => {
    const shifted = fake.map((v) => v + 0.25);
    expect(await edgeLossOf(shifted, fake)).toBeCloseTo(0, 6);
    const line = fake.slice();
    line[3] = line[3]! + 1; // one pixel of the first row
    expect(await edgeLossOf(line, fake)).toBeGreaterThan(0.01);
  });

  test('a negative or non-finite weight is a named settings error', () => {
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, edgeWeight: -1 })).toThrow(/edgeWeight: expected a number >= 0, got -1/);
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, edgeWeight: Number.NaN })).toThrow(/edgeWeight/);
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, edgeWeight: 5 })).not.toThrow();
  });
});
