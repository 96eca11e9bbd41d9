import { cloneImage, createImage, luminance, type RgbImage } from '../image/image';
import { boxBlurInto, createBoxBlurScratch, gaussianBlurPlane } from '../image/filters';
import { hashSeed } from '../util/rng';

/**
 * Shared pieces of the concept teachers: colour space helpers, edge-preserving smoothing, edge maps and
 * content-derived seeds. Everything is deterministic and linear in the pixel count.
 */

/** Filter sizes are tuned at 256 px; this scales them to the image so a concept looks alike at any size. */
export function sizeScale(image: RgbImage): number {
  return Math.min(image.width, image.height) / 256;
}

export function scaledRadius(image: RgbImage, radiusAt256: number, min = 1): number {
  return Math.max(min, Math.round(radiusAt256 * sizeScale(image)));
}

export function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = clamp01((x - edge0) / (edge1 - edge0));
  return t * t * (3 - 2 * t);
}

export function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** RGB in [0,1] to HSV with h in [0,1), written into `out` to avoid allocation in per-pixel loops. */
export function rgbToHsv(r: number, g: number, b: number, out: Float32Array): void {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const delta = max - min;
  let h = 0;
  if (delta > 1e-6) {
    if (max === r) h = ((g - b) / delta) % 6;
    else if (max === g) h = (b - r) / delta + 2;
    else h = (r - g) / delta + 4;
    h /= 6;
    if (h < 0) h += 1;
  }
  out[0] = h;
  out[1] = max > 0 ? delta / max : 0;
  out[2] = max;
}

export function hsvToRgb(h: number, s: number, v: number, out: Float32Array): void {
  const hh = (((h % 1) + 1) % 1) * 6;
  const i = Math.floor(hh);
  const f = hh - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  switch (i) {
    case 0:
      out[0] = v;
      out[1] = t;
      out[2] = p;
      break;
    case 1:
      out[0] = q;
      out[1] = v;
      out[2] = p;
      break;
    case 2:
      out[0] = p;
      out[1] = v;
      out[2] = t;
      break;
    case 3:
      out[0] = p;
      out[1] = q;
      out[2] = v;
      break;
    case 4:
      out[0] = t;
      out[1] = p;
      out[2] = v;
      break;
    default:
      out[0] = v;
      out[1] = p;
      out[2] = q;
      break;
  }
}

/** Applies fn(r, g, b, i, out) to every pixel, returning a new image. */
export function mapPixels(image: RgbImage, fn: (r: number, g: number, b: number, index: number, out: Float32Array) => void): RgbImage {
  const result = createImage(image.width, image.height);
  const src = image.data;
  const dst = result.data;
  const px = new Float32Array(3);
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    fn(src[i * 3]!, src[i * 3 + 1]!, src[i * 3 + 2]!, i, px);
    dst[i * 3] = clamp01(px[0]!);
    dst[i * 3 + 1] = clamp01(px[1]!);
    dst[i * 3 + 2] = clamp01(px[2]!);
  }
  return result;
}

/** Colour ramp: `stops` are [position, r, g, b]; positions ascending in [0, 1]. */
export function makeGradientMap(stops: ReadonlyArray<readonly [number, number, number, number]>): (t: number, out: Float32Array) => void {
  return (t, out) => {
    const x = clamp01(t);
    let k = 0;
    while (k < stops.length - 2 && x > stops[k + 1]![0]) k++;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    const f = clamp01((x - a[0]) / (b[0] - a[0] || 1));
    out[0] = mix(a[1], b[1], f);
    out[1] = mix(a[2], b[2], f);
    out[2] = mix(a[3], b[3], f);
  };
}

/**
 * Guided filter (He et al.) with the image's own luminance as guide: edge-preserving smoothing in O(pixels)
 * from box means. `eps` sets which contrasts count as edges (≈ variance units of [0,1] values).
 */
export function guidedSmooth(image: RgbImage, radius: number, eps: number): RgbImage {
  if (radius <= 0) return cloneImage(image);
  const { width, height } = image;
  const guide = luminance(image);
  const n = guide.length;
  // Seven planes and one set of blur buffers for the whole filter: it blurs 14 planes, and allocating two
  // fresh planes per blur cost as much as the blurs themselves.
  const scratch = createBoxBlurScratch(width, height, radius);
  const box = (p: Float32Array, out: Float32Array): Float32Array => boxBlurInto(p, width, height, radius, out, scratch);
  const meanI = new Float32Array(n);
  const varI = new Float32Array(n);
  const p = new Float32Array(n);
  const prod = new Float32Array(n);
  const meanP = new Float32Array(n);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) prod[i] = guide[i]! * guide[i]!;
  box(guide, meanI);
  box(prod, varI);
  for (let i = 0; i < n; i++) varI[i] = varI[i]! - meanI[i]! * meanI[i]!;
  const src = image.data;
  const result = createImage(width, height);
  const dst = result.data;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const v = src[i * 3 + c]!;
      p[i] = v;
      prod[i] = guide[i]! * v;
    }
    box(p, meanP);
    const corr = box(prod, p); // p is no longer needed: its buffer takes the blurred product
    for (let i = 0; i < n; i++) {
      const cov = corr[i]! - meanI[i]! * meanP[i]!;
      // Stored through float32 as the separate a/b planes always were, so results do not change.
      a[i] = cov / (varI[i]! + eps);
      b[i] = meanP[i]! - a[i]! * meanI[i]!;
    }
    const meanA = box(a, prod);
    const meanB = box(b, meanP);
    for (let i = 0; i < n; i++) dst[i * 3 + c] = meanA[i]! * guide[i]! + meanB[i]!;
  }
  return result;
}

/**
 * Kuwahara filter: each pixel takes the mean colour of its four (r+1)² quadrants, weighted towards the one
 * with the lowest luminance variance. Flattens texture into paint-like patches while keeping edges. Summed-area
 * tables make the cost independent of r.
 */
export function kuwahara(image: RgbImage, radius: number): RgbImage {
  const { width, height } = image;
  const stride = width + 1;
  const size = stride * (height + 1);
  // Float64: sums of up to 1e6 values would lose precision in float32 and make variances negative.
  const sums = [new Float64Array(size), new Float64Array(size), new Float64Array(size), new Float64Array(size), new Float64Array(size)];
  const [sr, sg, sb, sl, sll] = sums as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const d = image.data;
  for (let y = 0; y < height; y++) {
    let rr = 0,
      gg = 0,
      bb = 0,
      ll = 0,
      lq = 0;
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const r = d[p]!,
        g = d[p + 1]!,
        b = d[p + 2]!;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      rr += r;
      gg += g;
      bb += b;
      ll += l;
      lq += l * l;
      const q = (y + 1) * stride + x + 1;
      const above = y * stride + x + 1;
      sr[q] = sr[above]! + rr;
      sg[q] = sg[above]! + gg;
      sb[q] = sb[above]! + bb;
      sl[q] = sl[above]! + ll;
      sll[q] = sll[above]! + lq;
    }
  }
  const rect = (t: Float64Array, x0: number, y0: number, x1: number, y1: number): number =>
    t[y1 * stride + x1]! - t[y0 * stride + x1]! - t[y1 * stride + x0]! + t[y0 * stride + x0]!;
  const out = createImage(width, height);
  const o = out.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Soft selection (Papari et al.'s weighting, variance^-2) instead of the hard minimum: the same
      // painterly flattening without the blocky seams of the original filter.
      let total = 0;
      let br = 0,
        bg = 0,
        bbv = 0;
      for (let quadrant = 0; quadrant < 4; quadrant++) {
        // Pixel ranges [x0, x1) x [y0, y1) of this quadrant, clipped to the image.
        const x0 = quadrant & 1 ? x : Math.max(0, x - radius);
        const x1 = quadrant & 1 ? Math.min(width, x + radius + 1) : x + 1;
        const y0 = quadrant & 2 ? y : Math.max(0, y - radius);
        const y1 = quadrant & 2 ? Math.min(height, y + radius + 1) : y + 1;
        const inv = 1 / ((x1 - x0) * (y1 - y0));
        const mean = rect(sl, x0, y0, x1, y1) * inv;
        const variance = Math.max(0, rect(sll, x0, y0, x1, y1) * inv - mean * mean) + 1e-5;
        const weight = 1 / (variance * variance);
        total += weight;
        br += weight * rect(sr, x0, y0, x1, y1) * inv;
        bg += weight * rect(sg, x0, y0, x1, y1) * inv;
        bbv += weight * rect(sb, x0, y0, x1, y1) * inv;
      }
      br /= total;
      bg /= total;
      bbv /= total;
      const p = (y * width + x) * 3;
      o[p] = br;
      o[p + 1] = bg;
      o[p + 2] = bbv;
    }
  }
  return out;
}

/**
 * Extended difference of Gaussians (Winnemöller's XDoG) on a luminance plane: 1 on flat areas, dropping
 * towards 0 on lines. Cleaner, more drawn-looking edges than a thresholded Sobel.
 */
export function xdogLines(
  gray: Float32Array,
  width: number,
  height: number,
  options: { sigma: number; k?: number; tau?: number; epsilon?: number; phi?: number },
): Float32Array {
  const k = options.k ?? 1.6;
  const tau = options.tau ?? 0.98;
  const epsilon = options.epsilon ?? 0.01;
  const phi = options.phi ?? 60;
  const g1 = gaussianBlurPlane(gray, width, height, options.sigma);
  const g2 = gaussianBlurPlane(gray, width, height, options.sigma * k);
  const out = new Float32Array(gray.length);
  for (let i = 0; i < out.length; i++) {
    const dog = g1[i]! - tau * g2[i]!;
    out[i] = dog >= epsilon ? 1 : 1 + Math.tanh(phi * (dog - epsilon));
  }
  return out;
}

/** A seed derived from the pixels themselves, so "random" textures are reproducible for the same input. */
export function contentSeed(image: RgbImage, salt: string): number {
  const d = image.data;
  const step = Math.max(1, Math.floor(d.length / 4096));
  const sample = new Uint8Array(Math.ceil(d.length / step) + 8);
  let j = 0;
  for (let i = 0; i < d.length; i += step) sample[j++] = Math.round(clamp01(d[i]!) * 255);
  sample[j++] = image.width & 0xff;
  sample[j++] = (image.width >> 8) & 0xff;
  sample[j++] = image.height & 0xff;
  sample[j++] = (image.height >> 8) & 0xff;
  return hashSeed(sample.subarray(0, j)) ^ hashSeed(salt);
}

/** Darkens towards the corners; strength 0 = none, 1 = black corners. */
export function vignetteFactor(x: number, y: number, width: number, height: number, strength: number): number {
  const dx = (x + 0.5) / width - 0.5;
  const dy = (y + 0.5) / height - 0.5;
  const r2 = (dx * dx + dy * dy) * 2;
  return 1 - strength * r2 * r2;
}

/**
 * Smooth value noise in [0, 1]: random values on a lattice of `cell`-pixel squares, smoothstep-interpolated.
 * Summing a few octaves gives paper and pigment textures.
 */
export function valueNoise(width: number, height: number, cell: number, rng: { next(): number }): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = y / cell;
    const iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < width; x++) {
      const fx = x / cell;
      const ix = Math.floor(fx);
      let tx = fx - ix;
      tx = tx * tx * (3 - 2 * tx);
      const a = lattice[iy * gw + ix]!,
        b = lattice[iy * gw + ix + 1]!;
      const c = lattice[(iy + 1) * gw + ix]!,
        d = lattice[(iy + 1) * gw + ix + 1]!;
      out[y * width + x] = mix(mix(a, b, tx), mix(c, d, tx), ty);
    }
  }
  return out;
}
