import { createImage, type RgbImage } from './image';

/**
 * Building-block filters on single-channel planes (Float32Array, width*height, row-major) and on RgbImage.
 * All are O(pixels) or O(pixels * kernel) with clamped borders, fast enough for 50 ms teachers at 256².
 */

/** Box mean over a (2r+1)² window with clamped borders, via running sums (cost independent of r). */
export function boxBlurPlane(plane: Float32Array, width: number, height: number, radius: number): Float32Array {
  if (radius <= 0) return plane.slice();
  return boxBlurInto(plane, width, height, radius, new Float32Array(plane.length), createBoxBlurScratch(width, height, radius));
}

/** Reusable buffers for boxBlurInto, so filters that blur many planes (the guided filter) allocate once. */
export interface BoxBlurScratch {
  readonly tmp: Float32Array;
  readonly padded: Float32Array;
  readonly sums: Float64Array;
}

export function createBoxBlurScratch(width: number, height: number, radius: number): BoxBlurScratch {
  return { tmp: new Float32Array(width * height), padded: new Float32Array(width + 2 * radius + 1), sums: new Float64Array(width) };
}

/** boxBlurPlane writing into `out` (which must not be `plane`), with caller-owned scratch buffers; radius >= 1. */
export function boxBlurInto(plane: Float32Array, width: number, height: number, radius: number, out: Float32Array, scratch: BoxBlurScratch): Float32Array {
  const { tmp, padded, sums } = scratch;
  const inv = 1 / (2 * radius + 1);
  // Horizontal pass on a copy of the row padded with its edge values: the running sum needs no branches.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    padRow(plane, row, width, radius, padded);
    let sum = 0;
    for (let k = 0; k <= 2 * radius; k++) sum += padded[k]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum * inv;
      sum += padded[x + 2 * radius + 1]! - padded[x]!;
    }
  }
  // Vertical pass row by row with one running sum per column: sequential memory access, cache friendly.
  sums.fill(0);
  for (let k = -radius; k <= radius; k++) {
    const row = clampIndex(k, height) * width;
    for (let x = 0; x < width; x++) sums[x]! += tmp[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const addRow = (y + radius + 1 < height ? y + radius + 1 : height - 1) * width;
    const subRow = (y - radius > 0 ? y - radius : 0) * width;
    for (let x = 0; x < width; x++) {
      out[row + x] = sums[x]! * inv;
      sums[x]! += tmp[addRow + x]! - tmp[subRow + x]!;
    }
  }
  return out;
}

/** Copies row `row..row+width` of `plane` into `padded[radius..]`, repeating the edge values `radius` times each side (and once more on the right, for running sums). */
function padRow(plane: Float32Array, row: number, width: number, radius: number, padded: Float32Array): void {
  padded.set(plane.subarray(row, row + width), radius);
  const first = plane[row]!;
  const last = plane[row + width - 1]!;
  for (let k = 0; k < radius; k++) padded[k] = first;
  for (let k = radius + width; k < padded.length; k++) padded[k] = last;
}

export function gaussianKernel(sigma: number, radius = Math.max(1, Math.ceil(sigma * 3))): Float32Array {
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = w;
    total += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= total;
  return kernel;
}

/** Separable convolution with a symmetric 1-D kernel on both axes, clamped borders. */
export function convolveSeparablePlane(plane: Float32Array, width: number, height: number, kernel: Float32Array): Float32Array {
  const radius = (kernel.length - 1) >> 1;
  const taps = kernel.length;
  const tmp = new Float32Array(plane.length);
  const out = new Float32Array(plane.length);
  // Horizontal: each row padded with its edge values, so the inner loop has no border branches.
  const padded = new Float32Array(width + 2 * radius + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    padRow(plane, row, width, radius, padded);
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < taps; k++) sum += padded[x + k]! * kernel[k]!;
      tmp[row + x] = sum;
    }
  }
  // Vertical: each output row accumulates whole (clamped) source rows, which walks memory sequentially.
  // Accumulated in float64, as the per-pixel sum above is, then stored as float32.
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = 0; k < taps; k++) {
      const w = kernel[k]!;
      const src = clampIndex(y - radius + k, height) * width;
      for (let x = 0; x < width; x++) acc[x]! += tmp[src + x]! * w;
    }
    out.set(acc, y * width);
  }
  return out;
}

/**
 * Gaussian blur. Exact separable kernel for small sigma; for sigma >= 2, three box blurs whose widths are
 * chosen to match the Gaussian's variance (Kovesi's method): visually the same, cost independent of sigma.
 */
export function gaussianBlurPlane(plane: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0) return plane.slice();
  if (sigma < 2) return convolveSeparablePlane(plane, width, height, gaussianKernel(sigma));
  let out = plane;
  for (const radius of boxRadiiForGaussian(sigma, 3)) out = boxBlurPlane(out, width, height, radius);
  return out;
}

function boxRadiiForGaussian(sigma: number, passes: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / passes + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const upper = lower + 2;
  const lowerCount = Math.round((12 * sigma * sigma - passes * lower * lower - 4 * passes * lower - 3 * passes) / (-4 * lower - 4));
  return Array.from({ length: passes }, (_, i) => ((i < lowerCount ? lower : upper) - 1) / 2);
}

/** Sobel gradients of a plane (clamped borders). Magnitude of a unit step edge is 4 (the kernel gain). */
export function sobelPlane(plane: Float32Array, width: number, height: number): { gx: Float32Array; gy: Float32Array } {
  const gx = new Float32Array(plane.length);
  const gy = new Float32Array(plane.length);
  for (let y = 0; y < height; y++) {
    const ym = (y > 0 ? y - 1 : 0) * width;
    const y0 = y * width;
    const yp = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x < width - 1 ? x + 1 : x;
      const a = plane[ym + xm]!,
        b = plane[ym + x]!,
        c = plane[ym + xp]!;
      const d = plane[y0 + xm]!,
        f = plane[y0 + xp]!;
      const g = plane[yp + xm]!,
        h = plane[yp + x]!,
        i = plane[yp + xp]!;
      gx[y0 + x] = c + 2 * f + i - a - 2 * d - g;
      gy[y0 + x] = g + 2 * h + i - a - 2 * b - c;
    }
  }
  return { gx, gy };
}

export function gradientMagnitude(plane: Float32Array, width: number, height: number): Float32Array {
  const { gx, gy } = sobelPlane(plane, width, height);
  const out = new Float32Array(plane.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(gx[i]! * gx[i]! + gy[i]! * gy[i]!);
  return out;
}

/** Splits HWC into three planes. */
export function splitChannels(image: RgbImage): [Float32Array, Float32Array, Float32Array] {
  const n = image.width * image.height;
  const r = new Float32Array(n),
    g = new Float32Array(n),
    b = new Float32Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    r[i] = d[i * 3]!;
    g[i] = d[i * 3 + 1]!;
    b[i] = d[i * 3 + 2]!;
  }
  return [r, g, b];
}

export function mergeChannels(width: number, height: number, r: Float32Array, g: Float32Array, b: Float32Array): RgbImage {
  const image = createImage(width, height);
  const d = image.data;
  for (let i = 0; i < r.length; i++) {
    d[i * 3] = r[i]!;
    d[i * 3 + 1] = g[i]!;
    d[i * 3 + 2] = b[i]!;
  }
  return image;
}

/** Applies a plane filter to each channel. */
export function mapChannels(image: RgbImage, filter: (plane: Float32Array) => Float32Array): RgbImage {
  const [r, g, b] = splitChannels(image);
  return mergeChannels(image.width, image.height, filter(r), filter(g), filter(b));
}

export function gaussianBlur(image: RgbImage, sigma: number): RgbImage {
  return mapChannels(image, (p) => gaussianBlurPlane(p, image.width, image.height, sigma));
}

export function boxBlur(image: RgbImage, radius: number): RgbImage {
  return mapChannels(image, (p) => boxBlurPlane(p, image.width, image.height, radius));
}

function clampIndex(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}
