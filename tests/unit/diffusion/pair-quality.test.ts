import { describe, expect, it } from 'vitest';
import { checkPairQuality } from '../../../native-models/diffusion/pair-quality';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { SeededRandom } from '../../../native-models/diffusion/random';

/** A synthetic "photo": a few soft blobs and stripes, so it has both layout and edges. */
function scene(seed: number, size = 96): RgbImage {
  const random = new SeededRandom(seed);
  const blobs = Array.from({ length: 5 }, () => ({
    x: random.nextFloat() * size,
    y: random.nextFloat() * size,
    r: 8 + random.nextFloat() * 20,
    c: [random.nextFloat(), random.nextFloat(), random.nextFloat()],
  }));
  const image = createImage(size, size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      let rgb = [0.2, 0.25, 0.3];
      for (const blob of blobs) if ((x - blob.x) ** 2 + (y - blob.y) ** 2 < blob.r ** 2) rgb = blob.c;
      for (let c = 0; c < 3; c++) image.data[i + c] = rgb[c]!;
    }
  }
  return image;
}

function mapPixels(image: RgbImage, fn: (r: number, g: number, b: number, i: number) => [number, number, number]): RgbImage {
  const out = createImage(image.width, image.height);
  for (let i = 0; i < image.data.length; i += 3) {
    const [r, g, b] = fn(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!, i);
    out.data[i] = r;
    out.data[i + 1] = g;
    out.data[i + 2] = b;
  }
  return out;
}

describe('pair quality guard', () => {
  const photo = scene(1);

  it('rejects an output that is (nearly) the input', () => {
    const verdict = checkPairQuality(photo, photo);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/^output is nearly identical to the input \(SSIM 1.00, PSNR inf dB\)/);
    const random = new SeededRandom(2);
    const jittered = mapPixels(photo, (r, g, b) => [r + random.nextNormal() * 0.003, g, b]);
    expect(checkPairQuality(photo, jittered).ok).toBe(false);
  });

  it('accepts real edits that keep the scene: recolouring, sepia, inversion', () => {
    const sepia = mapPixels(photo, (r, g, b) => {
      const l = 0.3 * r + 0.59 * g + 0.11 * b;
      return [Math.min(1, l * 1.1 + 0.1), l * 0.9 + 0.05, l * 0.6];
    });
    const inverted = mapPixels(photo, (r, g, b) => [1 - r, 1 - g, 1 - b]);
    const warm = mapPixels(photo, (r, g, b) => [Math.min(1, r * 1.4 + 0.1), g, b * 0.5]);
    for (const edit of [sepia, inverted, warm]) {
      const verdict = checkPairQuality(photo, edit);
      expect(verdict.reason).toBeUndefined();
      expect(verdict.ok).toBe(true);
    }
  });

  it('rejects an output showing another scene or noise', () => {
    const other = checkPairQuality(photo, scene(99));
    expect(other.ok).toBe(false);
    expect(other.reason).toMatch(/^output looks unrelated to the input \(edge correlation -?0\.\d\d, SSIM/);
    const random = new SeededRandom(3);
    const noise = mapPixels(photo, () => [random.nextFloat(), random.nextFloat(), random.nextFloat()]);
    expect(checkPairQuality(photo, noise).ok).toBe(false);
  });

  it('refuses to compare images of different sizes', () => {
    expect(() => checkPairQuality(photo, scene(1, 64))).toThrow(/input is 96x96, output 64x64/);
  });
});
