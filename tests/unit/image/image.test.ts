import { describe, expect, it } from 'vitest';
import { createRng, hashSeed } from '../../../native-models/util/rng';
import { createImage, imageFromBytes, imageToBytes, imageToNchw, imagesToNchw, nchwToImage, luminance } from '../../../native-models/image/image';

describe('rng', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = createRng(42),
      b = createRng(42),
      c = createRng(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    const seqB = Array.from({ length: 5 }, () => b.next());
    const seqC = Array.from({ length: 5 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('stays in range and resumes from its state', () => {
    const rng = createRng(7);
    for (let i = 0; i < 1000; i++) {
      const v = rng.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      expect(rng.int(5)).toBeLessThan(5);
    }
    const resumed = createRng(rng.state);
    expect(resumed.next()).toBe(rng.next());
  });

  it('normal() has roughly zero mean and unit variance', () => {
    const rng = createRng(1);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('hashSeed is stable and content sensitive', () => {
    expect(hashSeed('chelsea.png')).toBe(hashSeed('chelsea.png'));
    expect(hashSeed('chelsea.png')).not.toBe(hashSeed('coffee.png'));
    expect(hashSeed(new Uint8Array([1, 2, 3]))).not.toBe(hashSeed(new Uint8Array([1, 2, 4])));
  });
});

describe('RgbImage', () => {
  it('round-trips 8-bit RGB exactly', () => {
    const bytes = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const image = imageFromBytes(4, 3, 3, bytes);
    expect(image.data[0]).toBe(0);
    expect(Array.from(imageToBytes(image))).toEqual(Array.from(bytes));
  });

  it('expands gray and composites alpha over white', () => {
    const gray = imageFromBytes(1, 1, 1, Uint8Array.of(51));
    expect(Array.from(gray.data)).toEqual([0.2, 0.2, 0.2].map(Math.fround));
    const transparentBlack = imageFromBytes(1, 1, 4, Uint8Array.of(0, 0, 0, 0));
    expect(Array.from(transparentBlack.data)).toEqual([1, 1, 1]);
  });

  it('rejects a buffer of the wrong length, naming both sizes', () => {
    expect(() => imageFromBytes(2, 2, 3, new Uint8Array(11))).toThrow(/11.*2x2x3/);
    expect(() => createImage(0, 5)).toThrow(/invalid image size 0x5/);
  });

  it('converts to NCHW in [-1, 1] and back', () => {
    const a = createImage(3, 2);
    const b = createImage(3, 2);
    a.data.forEach((_, i) => (a.data[i] = (i % 7) / 6));
    b.data.fill(1);
    const tensor = imagesToNchw([a, b]);
    expect(tensor.dims).toEqual([2, 3, 2, 3]);
    // Pixel (x=1, y=0) of image a: HWC index 3..5 → channel planes at offset 1.
    expect(tensor.data[1]).toBeCloseTo(a.data[3]! * 2 - 1, 6);
    expect(tensor.data[6 + 1]).toBeCloseTo(a.data[4]! * 2 - 1, 6);
    expect(tensor.data[18]).toBe(1);
    const back = nchwToImage(tensor, 0);
    back.data.forEach((v, i) => expect(v).toBeCloseTo(a.data[i]!, 6));
    expect(() => nchwToImage(tensor, 2)).toThrow(/out of range/);
    expect(() => imagesToNchw([a, createImage(2, 2)])).toThrow(/batch image 1 is 2x2, expected 3x2/);
    expect(imageToNchw(a).dims).toEqual([1, 3, 2, 3]);
  });

  it('clamps model outputs outside [-1, 1]', () => {
    const image = nchwToImage({ data: Float32Array.of(-3, 3, 0), dims: [1, 3, 1, 1] });
    expect(Array.from(image.data)).toEqual([0, 1, 0.5]);
  });

  it('computes Rec. 601 luminance', () => {
    const image = imageFromBytes(1, 1, 3, Uint8Array.of(255, 0, 0));
    expect(luminance(image)[0]).toBeCloseTo(0.299, 6);
  });
});
