import type { Rng } from '../util/rng';
import { createImage, type RgbImage } from './image';

/**
 * Geometric transforms on RgbImage. Resizing is pure TS (a separable triangle filter whose support widens
 * when shrinking, so downscaled photos do not alias), which keeps it synchronous and usable in workers.
 */

interface AxisWeights {
  /** First source index per output index. */
  start: Int32Array;
  /** Number of taps per output index. */
  count: Int32Array;
  /** Normalised weights, `maxTaps` per output index. */
  weights: Float32Array;
  maxTaps: number;
}

function axisWeights(srcSize: number, dstSize: number): AxisWeights {
  const scale = srcSize / dstSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * maxTaps);
  for (let o = 0; o < dstSize; o++) {
    const center = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(center - support));
    const hi = Math.min(srcSize - 1, Math.floor(center + support));
    let total = 0;
    let taps = 0;
    for (let s = lo; s <= hi && taps < maxTaps; s++, taps++) {
      const w = Math.max(0, 1 - Math.abs(s - center) / support);
      weights[o * maxTaps + taps] = w;
      total += w;
    }
    if (total === 0) {
      // Only at the extreme edges when upscaling: fall back to the nearest source pixel.
      weights[o * maxTaps] = 1;
      total = 1;
      taps = 1;
      start[o] = Math.min(srcSize - 1, Math.max(0, Math.round(center)));
    } else {
      start[o] = lo;
    }
    count[o] = taps;
    for (let t = 0; t < taps; t++) weights[o * maxTaps + t]! /= total;
  }
  return { start, count, weights, maxTaps };
}

/** Resizes to exactly width x height (aspect ratio is the caller's business; see `resizeCover`). */
export function resize(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  const xw = axisWeights(image.width, width);
  const yw = axisWeights(image.height, height);
  // Horizontal pass into an intermediate of size width x image.height.
  const mid = new Float32Array(width * image.height * 3);
  const src = image.data;
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0;
      const s0 = xw.start[x]!;
      const n = xw.count[x]!;
      const wBase = x * xw.maxTaps;
      for (let t = 0; t < n; t++) {
        const w = xw.weights[wBase + t]!;
        const p = (row + s0 + t) * 3;
        r += src[p]! * w;
        g += src[p + 1]! * w;
        b += src[p + 2]! * w;
      }
      const q = (y * width + x) * 3;
      mid[q] = r;
      mid[q + 1] = g;
      mid[q + 2] = b;
    }
  }
  const out = createImage(width, height);
  const dst = out.data;
  for (let y = 0; y < height; y++) {
    const s0 = yw.start[y]!;
    const n = yw.count[y]!;
    const wBase = y * yw.maxTaps;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let t = 0; t < n; t++) {
        const w = yw.weights[wBase + t]!;
        const p = ((s0 + t) * width + x) * 3;
        r += mid[p]! * w;
        g += mid[p + 1]! * w;
        b += mid[p + 2]! * w;
      }
      const q = (y * width + x) * 3;
      dst[q] = r;
      dst[q + 1] = g;
      dst[q + 2] = b;
    }
  }
  return out;
}

/** Scales so the shorter side equals `size`, keeping the aspect ratio. */
export function resizeShorterSide(image: RgbImage, size: number): RgbImage {
  const scale = size / Math.min(image.width, image.height);
  return resize(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
}

/** Scales to cover width x height and center-crops the overflow: the usual "fill the frame" for model inputs. */
export function resizeCover(image: RgbImage, width: number, height: number): RgbImage {
  const scale = Math.max(width / image.width, height / image.height);
  const scaled = resize(image, Math.max(width, Math.round(image.width * scale)), Math.max(height, Math.round(image.height * scale)));
  return centerCrop(scaled, width, height);
}

export function crop(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.width || y + height > image.height) {
    throw new Error(`crop ${width}x${height} at (${x}, ${y}) does not fit inside a ${image.width}x${image.height} image`);
  }
  const out = createImage(width, height);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return out;
}

export function centerCrop(image: RgbImage, width: number, height: number): RgbImage {
  return crop(image, Math.floor((image.width - width) / 2), Math.floor((image.height - height) / 2), width, height);
}

/** The largest centered square. */
export function centerCropSquare(image: RgbImage): RgbImage {
  const side = Math.min(image.width, image.height);
  return centerCrop(image, side, side);
}

export interface RandomCropOptions {
  /** Output size in pixels. */
  width: number;
  height: number;
  /** Fraction of the source's largest crop (of the output's aspect) kept, drawn uniformly; default [0.35, 1]. */
  minScale?: number;
  maxScale?: number;
  /** Mirror horizontally with this probability (default 0.5). */
  flipProbability?: number;
}

/** Where a random augmentation crop lands in its source, so the same crop can be re-applied or recorded. */
export interface CropParams {
  x: number;
  y: number;
  width: number;
  height: number;
  flip: boolean;
}

/**
 * Draws an augmentation window: side fraction in [minScale, maxScale] of the largest window with the
 * output aspect, at a uniform position, mirrored with `flipProbability`. Consumes exactly four rng values.
 */
export function drawRandomCrop(sourceWidth: number, sourceHeight: number, rng: Rng, options: RandomCropOptions): CropParams {
  const minScale = options.minScale ?? 0.35;
  const maxScale = options.maxScale ?? 1;
  if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
    throw new Error(`randomCropScale: need 0 < minScale <= maxScale <= 1, got ${minScale}, ${maxScale}`);
  }
  const aspect = options.width / options.height;
  const fullW = Math.min(sourceWidth, sourceHeight * aspect);
  const scale = rng.range(minScale, maxScale);
  const width = Math.max(1, Math.min(sourceWidth, Math.round(fullW * scale)));
  const height = Math.max(1, Math.min(sourceHeight, Math.round(width / aspect)));
  const x = rng.int(sourceWidth - width + 1);
  const y = rng.int(sourceHeight - height + 1);
  const flip = rng.next() < (options.flipProbability ?? 0.5);
  return { x, y, width, height, flip };
}

/** Crops, resizes to outWidth x outHeight and maybe mirrors, as described by `params`. */
export function applyCrop(image: RgbImage, params: CropParams, outWidth: number, outHeight: number): RgbImage {
  const out = resize(crop(image, params.x, params.y, params.width, params.height), outWidth, outHeight);
  return params.flip ? flipHorizontal(out) : out;
}

/** Augmentation crop (see drawRandomCrop), resized to the output size. Deterministic for a given rng state. */
export function randomCropScale(image: RgbImage, rng: Rng, options: RandomCropOptions): RgbImage {
  return applyCrop(image, drawRandomCrop(image.width, image.height, rng, options), options.width, options.height);
}

export function flipHorizontal(image: RgbImage): RgbImage {
  const { width, height } = image;
  const out = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (y * width + (width - 1 - x)) * 3;
      out.data[d] = image.data[s]!;
      out.data[d + 1] = image.data[s + 1]!;
      out.data[d + 2] = image.data[s + 2]!;
    }
  }
  return out;
}

export function flipVertical(image: RgbImage): RgbImage {
  const { width, height } = image;
  const out = createImage(width, height);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    out.data.set(image.data.subarray(y * rowLen, (y + 1) * rowLen), (height - 1 - y) * rowLen);
  }
  return out;
}
