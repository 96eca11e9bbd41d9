import { describe, expect, it } from 'vitest';
import { createRng } from '../../../native-models/util/rng';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { resize, crop, centerCrop, centerCropSquare, flipHorizontal, flipVertical, randomCropScale, resizeCover } from '../../../native-models/image/transform';
import { gaussianBlur, boxBlurPlane } from '../../../native-models/image/filters';
import { psnr, ssim, mse, colorHistogram, gradientHistogram, imageFeatures } from '../../../native-models/image/metrics';

function noiseImage(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  const image = createImage(width, height);
  image.data.forEach((_, i) => (image.data[i] = rng.next()));
  return image;
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(i, i + 3));
}

describe('transforms', () => {
  it('keeps a constant image constant at any size', () => {
    const image = createImage(37, 23, 0.25);
    for (const [w, h] of [
      [10, 7],
      [80, 50],
      [37, 23],
    ] as const) {
      const out = resize(image, w, h);
      expect([out.width, out.height]).toEqual([w, h]);
      for (const v of out.data) expect(v).toBeCloseTo(0.25, 5);
    }
  });

  it('averages a fine checkerboard when shrinking (antialiased)', () => {
    const image = createImage(64, 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) image.data.fill((x + y) % 2, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    const out = resize(image, 8, 8);
    for (const v of out.data) expect(Math.abs(v - 0.5)).toBeLessThan(0.05);
  });

  it('crops the right pixels and rejects crops outside the image', () => {
    const image = noiseImage(10, 8, 1);
    const part = crop(image, 3, 2, 4, 5);
    expect(pixel(part, 0, 0)).toEqual(pixel(image, 3, 2));
    expect(pixel(part, 3, 4)).toEqual(pixel(image, 6, 6));
    expect(() => crop(image, 8, 0, 4, 4)).toThrow(/does not fit inside a 10x8 image/);
    expect(pixel(centerCrop(image, 2, 2), 0, 0)).toEqual(pixel(image, 4, 3));
    expect(centerCropSquare(image).width).toBe(8);
    const cover = resizeCover(image, 6, 6);
    expect([cover.width, cover.height]).toEqual([6, 6]);
  });

  it('flips mirror pixels and are involutions', () => {
    const image = noiseImage(5, 4, 2);
    expect(pixel(flipHorizontal(image), 0, 1)).toEqual(pixel(image, 4, 1));
    expect(pixel(flipVertical(image), 2, 0)).toEqual(pixel(image, 2, 3));
    expect(Array.from(flipHorizontal(flipHorizontal(image)).data)).toEqual(Array.from(image.data));
    expect(Array.from(flipVertical(flipVertical(image)).data)).toEqual(Array.from(image.data));
  });

  it('random crops are deterministic per seed and vary across seeds', () => {
    const image = noiseImage(60, 40, 3);
    const a = randomCropScale(image, createRng(9), { width: 16, height: 16 });
    const b = randomCropScale(image, createRng(9), { width: 16, height: 16 });
    const c = randomCropScale(image, createRng(10), { width: 16, height: 16 });
    expect([a.width, a.height]).toEqual([16, 16]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(() => randomCropScale(image, createRng(1), { width: 8, height: 8, minScale: 0 })).toThrow(/minScale/);
  });
});

describe('filters', () => {
  it('box blur equals a brute-force window mean inside the image', () => {
    const rng = createRng(4);
    const plane = Float32Array.from({ length: 12 * 9 }, () => rng.next());
    const out = boxBlurPlane(plane, 12, 9, 2);
    let sum = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) sum += plane[(4 + dy) * 12 + 5 + dx]!;
    expect(out[4 * 12 + 5]).toBeCloseTo(sum / 25, 5);
  });
});

describe('metrics', () => {
  it('PSNR of a constant 0.1 offset is 20 dB; identical is Infinity', () => {
    const a = createImage(8, 8, 0.3);
    const b = createImage(8, 8, 0.4);
    expect(mse(a, b)).toBeCloseTo(0.01, 6);
    expect(psnr(a, b)).toBeCloseTo(20, 4);
    expect(psnr(a, a)).toBe(Infinity);
    expect(() => psnr(a, createImage(4, 8))).toThrow(/8x8 vs 4x8/);
  });

  it('SSIM matches the closed form for flat images and falls with noise', () => {
    const u = 0.3,
      v = 0.6,
      c1 = 0.0001;
    expect(ssim(createImage(16, 16, u), createImage(16, 16, v))).toBeCloseTo((2 * u * v + c1) / (u * u + v * v + c1), 5);
    const clean = gaussianBlur(noiseImage(48, 48, 5), 2);
    expect(ssim(clean, clean)).toBeCloseTo(1, 6);
    const noisy = (amount: number): RgbImage => {
      const rng = createRng(6);
      const out = createImage(48, 48);
      clean.data.forEach((x, i) => (out.data[i] = x + amount * rng.normal()));
      return out;
    };
    const light = ssim(clean, noisy(0.02));
    const heavy = ssim(clean, noisy(0.1));
    expect(light).toBeLessThan(1);
    expect(heavy).toBeLessThan(light);
  });

  it('colour histogram puts pure red in one bin and sums to 1', () => {
    const red = createImage(4, 4);
    for (let i = 0; i < 16; i++) red.data[i * 3] = 1;
    const hist = colorHistogram(red, 4);
    expect(hist.length).toBe(64);
    expect(hist[(3 * 4 + 0) * 4 + 0]).toBeCloseTo(1, 6);
    expect(colorHistogram(noiseImage(16, 16, 7)).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
  });

  it('gradient histogram sees stripe direction', () => {
    const vertical = createImage(16, 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) vertical.data.fill(x % 4 < 2 ? 1 : 0, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
    const hist = gradientHistogram(vertical, 8);
    // Vertical stripes vary along x: gradient angle 0 or π, i.e. the first or last sector.
    expect(hist[0]! + hist[7]!).toBeCloseTo(1, 5);
    expect(hist[8]).toBeGreaterThan(0);
    const flat = gradientHistogram(createImage(8, 8, 0.5));
    expect(Array.from(flat)).toEqual(new Array(9).fill(0));
    expect(imageFeatures(vertical).length).toBe(73);
  });
});

describe('gaussian blur', () => {
  it('box approximation for large sigma stays close to the exact kernel', async () => {
    const { gaussianBlurPlane, convolveSeparablePlane, gaussianKernel } = await import('../../../native-models/image/filters');
    const rng = createRng(11);
    const plane = Float32Array.from({ length: 64 * 64 }, () => rng.next());
    const fast = gaussianBlurPlane(plane, 64, 64, 3);
    const exact = convolveSeparablePlane(plane, 64, 64, gaussianKernel(3));
    let worst = 0;
    // Compare away from the borders, where clamping differs slightly between the two.
    for (let y = 12; y < 52; y++) for (let x = 12; x < 52; x++) worst = Math.max(worst, Math.abs(fast[y * 64 + x]! - exact[y * 64 + x]!));
    expect(worst).toBeLessThan(0.02);
  });
});

describe('metrics against an independent reference', () => {
  // Values computed with NumPy/SciPy (scipy.ndimage.gaussian_filter, sigma 1.5, truncate 5/1.5 = 11 taps,
  // mode 'nearest' = clamped borders; Wang et al.'s formula per channel, averaged) on the same analytic
  // images, quantised to float32 as here.
  function analytic(): { a: RgbImage; b: RgbImage } {
    const a = createImage(40, 32);
    const b = createImage(40, 32);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 40; x++) {
        for (let c = 0; c < 3; c++) {
          const i = (y * 40 + x) * 3 + c;
          a.data[i] = 0.5 + 0.4 * Math.sin(0.3 * x + c) * Math.cos(0.2 * y);
          b.data[i] = Math.min(1, Math.max(0, a.data[i]! + 0.1 * Math.sin(1.7 * x + 2.3 * y + c)));
        }
      }
    }
    return { a, b };
  }

  it('SSIM and PSNR match the SciPy reference', () => {
    const { a, b } = analytic();
    expect(ssim(a, b)).toBeCloseTo(0.772680616437125, 4);
    expect(psnr(a, b)).toBeCloseTo(23.01034474011617, 3);
  });
});
