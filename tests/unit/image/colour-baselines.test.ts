import { describe, expect, test } from 'vitest';
import { applyAffineColour, bestBaselinePsnr, fitAffineColour, qualityBaselines } from '../../../native-models/image/colour-baselines';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { psnr } from '../../../native-models/image/metrics';
import { createRng } from '../../../native-models/util/rng';

function randomImage(seed: number, w = 20, h = 12): RgbImage {
  const rng = createRng(seed);
  const image = createImage(w, h);
  for (let i = 0; i < image.data.length; i++) image.data[i] = rng.range(0.1, 0.9);
  return image;
}

/** A known colour map written out by hand (a sepia-like mix), independent of the fitting code. */
const known = {
  matrix: [
    [0.39, 0.37, 0.12],
    [0.35, 0.34, 0.1],
    [0.27, 0.26, 0.08],
  ],
  offset: [0.05, 0.02, -0.01],
};
function applyKnown(image: RgbImage): RgbImage {
  const out = createImage(image.width, image.height);
  for (let p = 0; p < image.data.length; p += 3) {
    for (let c = 0; c < 3; c++) {
      const m = known.matrix[c]!;
      out.data[p + c] = m[0]! * image.data[p]! + m[1]! * image.data[p + 1]! + m[2]! * image.data[p + 2]! + known.offset[c]!;
    }
  }
  return out;
}

describe('affine colour baseline', () => {
  test('recovers a known affine colour map from pairs it generated', () => {
    const pairs = [1, 2, 3].map((s) => {
      const input = randomImage(s);
      return { input, target: applyKnown(input) };
    });
    const fit = fitAffineColour(pairs);
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < 3; j++) expect(fit.matrix[c]![j]).toBeCloseTo(known.matrix[c]![j]!, 4);
      expect(fit.offset[c]).toBeCloseTo(known.offset[c]!, 4);
    }
    const held = randomImage(9);
    expect(psnr(applyAffineColour(held, fit), applyKnown(held))).toBeGreaterThan(60);
  });

  test('scores both baselines on held-out pairs: an affine effect is beaten only by the fit, not by the input', () => {
    const train = [1, 2].map((s) => {
      const input = randomImage(s);
      return { input, target: applyKnown(input) };
    });
    const evaluation = [5, 6].map((s) => {
      const input = randomImage(s);
      return { input, target: applyKnown(input) };
    });
    const b = qualityBaselines(train, evaluation);
    expect(b.affinePsnr).toBeGreaterThan(60);
    expect(b.identityPsnr).toBeLessThan(15);
    expect(bestBaselinePsnr(b)).toBe(b.affinePsnr);
  });

  test('a non-affine effect (per-pixel threshold) leaves the fit far from the target', () => {
    const threshold = (image: RgbImage): RgbImage => {
      const out = createImage(image.width, image.height);
      for (let i = 0; i < image.data.length; i++) out.data[i] = image.data[i]! > 0.5 ? 1 : 0;
      return out;
    };
    const train = [1, 2].map((s) => {
      const input = randomImage(s);
      return { input, target: threshold(input) };
    });
    const evaluation = [5].map((s) => {
      const input = randomImage(s);
      return { input, target: threshold(input) };
    });
    expect(qualityBaselines(train, evaluation).affinePsnr).toBeLessThan(15);
  });

  test('mismatched pair sizes and empty sets are errors', () => {
    expect(() => fitAffineColour([])).toThrow(/no pairs/);
    expect(() => fitAffineColour([{ input: randomImage(1, 4, 4), target: randomImage(2, 5, 4) }])).toThrow(/differ/);
  });
});
