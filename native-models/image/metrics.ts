import { assertSameSize, luminance, type RgbImage } from './image';
import { convolveSeparablePlane, gaussianKernel, sobelPlane, splitChannels } from './filters';

/**
 * Image quality metrics and cheap content features. PSNR/SSIM compare a model's output with a teacher's
 * target (pair quality guard, evaluations); the histograms are features for k-means data reduction.
 */

/** Mean squared error over all RGB values (images in [0, 1]). */
export function mse(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b, 'mse');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i]! - b.data[i]!;
    sum += d * d;
  }
  return sum / a.data.length;
}

/** Peak signal-to-noise ratio in dB with peak 1; Infinity for identical images. */
export function psnr(a: RgbImage, b: RgbImage): number {
  const error = mse(a, b);
  return error === 0 ? Infinity : 10 * Math.log10(1 / error);
}

/**
 * Structural similarity (Wang et al. 2004): Gaussian window σ = 1.5 (11 taps), K1 = 0.01, K2 = 0.03,
 * data range 1, population (co)variances as in the authors' reference code, computed per RGB channel and
 * averaged; 1 means identical. Borders are clamped and included, where the reference crops them ('valid'),
 * so values differ slightly from scikit-image near small images' edges.
 */
export function ssim(a: RgbImage, b: RgbImage): number {
  assertSameSize(a, b, 'ssim');
  const { width, height } = a;
  const kernel = gaussianKernel(1.5, 5);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const blur = (p: Float32Array): Float32Array => convolveSeparablePlane(p, width, height, kernel);
  const planesA = splitChannels(a);
  const planesB = splitChannels(b);
  const n = width * height;
  let total = 0;
  for (let ch = 0; ch < 3; ch++) {
    const x = planesA[ch]!;
    const y = planesB[ch]!;
    const xx = new Float32Array(n),
      yy = new Float32Array(n),
      xy = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xx[i] = x[i]! * x[i]!;
      yy[i] = y[i]! * y[i]!;
      xy[i] = x[i]! * y[i]!;
    }
    const mx = blur(x),
      my = blur(y),
      sxx = blur(xx),
      syy = blur(yy),
      sxy = blur(xy);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const mux = mx[i]!,
        muy = my[i]!;
      const vx = sxx[i]! - mux * mux;
      const vy = syy[i]! - muy * muy;
      const cov = sxy[i]! - mux * muy;
      sum += ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (vx + vy + c2));
    }
    total += sum / n;
  }
  return total / 3;
}

/**
 * Joint RGB histogram with `bins` levels per channel (bins³ entries), normalised to sum 1.
 * 4 bins → 64 numbers: coarse enough to compare photos by palette, not by exact colour.
 */
export function colorHistogram(image: RgbImage, bins = 4): Float32Array {
  const hist = new Float32Array(bins * bins * bins);
  const d = image.data;
  const n = image.width * image.height;
  const bin = (v: number): number => Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
  for (let i = 0; i < n; i++) {
    hist[(bin(d[i * 3]!) * bins + bin(d[i * 3 + 1]!)) * bins + bin(d[i * 3 + 2]!)]! += 1 / n;
  }
  return hist;
}

/**
 * Histogram of luminance gradient orientations (unsigned, 0..π, `bins` sectors) weighted by gradient
 * magnitude, followed by one entry for mean gradient magnitude. Orientation entries sum to 1 unless the
 * image is flat (then all zero). Texture and edge direction summary, like a one-cell HOG.
 */
export function gradientHistogram(image: RgbImage, bins = 8): Float32Array {
  const { width, height } = image;
  const { gx, gy } = sobelPlane(luminance(image), width, height);
  const hist = new Float32Array(bins + 1);
  let totalMagnitude = 0;
  for (let i = 0; i < gx.length; i++) {
    const magnitude = Math.sqrt(gx[i]! * gx[i]! + gy[i]! * gy[i]!);
    if (magnitude === 0) continue;
    let angle = Math.atan2(gy[i]!, gx[i]!);
    if (angle < 0) angle += Math.PI;
    const b = Math.min(bins - 1, Math.floor((angle / Math.PI) * bins));
    hist[b]! += magnitude;
    totalMagnitude += magnitude;
  }
  if (totalMagnitude > 0) for (let b = 0; b < bins; b++) hist[b]! /= totalMagnitude;
  // Sobel gain is 4 per unit step, so /4 maps mean magnitude roughly into [0, 1].
  hist[bins] = totalMagnitude / gx.length / 4;
  return hist;
}

/** Concatenated colour (64) + gradient (9) features: the vector k-means data reduction clusters on. */
export function imageFeatures(image: RgbImage): Float32Array {
  const color = colorHistogram(image, 4);
  const gradient = gradientHistogram(image, 8);
  const out = new Float32Array(color.length + gradient.length);
  out.set(color, 0);
  out.set(gradient, color.length);
  return out;
}
