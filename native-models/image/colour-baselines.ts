/**
 * Honest baselines for every quality figure: what a user gets without any model (the input as output) and
 * with the cheapest possible "model", a least-squares RGB affine colour map (12 numbers) fitted on the same
 * training pairs. A trained effect that does not beat both has learned nothing worth exporting.
 */
import { createImage, type RgbImage } from './image';
import { psnr, ssim } from './metrics';

export interface ImagePairLike {
  readonly input: RgbImage;
  readonly target: RgbImage;
}

/** out_c = sum_j matrix[c][j] * in_j + offset[c], on [0, 1] values, clamped to [0, 1] when applied. */
export interface AffineColourMap {
  readonly matrix: readonly [readonly number[], readonly number[], readonly number[]];
  readonly offset: readonly number[];
}

/**
 * Least-squares fit over every pixel of every pair (normal equations on [r, g, b, 1], float64). A tiny ridge
 * keeps the system solvable for grey or constant inputs without changing well-posed fits measurably.
 */
export function fitAffineColour(pairs: readonly ImagePairLike[]): AffineColourMap {
  if (pairs.length === 0) throw new Error('fitAffineColour: no pairs to fit');
  const ata = new Float64Array(16);
  const atb = new Float64Array(12);
  let pixels = 0;
  for (const { input, target } of pairs) {
    if (input.width !== target.width || input.height !== target.height) {
      throw new Error(`fitAffineColour: input ${input.width}x${input.height} and target ${target.width}x${target.height} differ`);
    }
    const x = input.data;
    const y = target.data;
    for (let p = 0; p < x.length; p += 3) {
      const v = [x[p]!, x[p + 1]!, x[p + 2]!, 1];
      for (let i = 0; i < 4; i++) {
        for (let j = i; j < 4; j++) ata[i * 4 + j]! += v[i]! * v[j]!;
        for (let c = 0; c < 3; c++) atb[i * 3 + c]! += v[i]! * y[p + c]!;
      }
    }
    pixels += x.length / 3;
  }
  for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) ata[i * 4 + j] = ata[j * 4 + i]!;
  const ridge = 1e-6 * pixels;
  for (let i = 0; i < 3; i++) ata[i * 4 + i]! += ridge;
  const solution = solve4(ata, atb);
  const row = (c: number): number[] => [solution[0 * 3 + c]!, solution[1 * 3 + c]!, solution[2 * 3 + c]!];
  return { matrix: [row(0), row(1), row(2)], offset: [solution[9]!, solution[10]!, solution[11]!] };
}

/** Gaussian elimination with partial pivoting: A (4x4) X = B (4x3). */
function solve4(a: Float64Array, b: Float64Array): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < 4; col++) {
    let pivot = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(m[r * 4 + col]!) > Math.abs(m[pivot * 4 + col]!)) pivot = r;
    if (Math.abs(m[pivot * 4 + col]!) < 1e-12) throw new Error('fitAffineColour: singular system (no pixels?)');
    if (pivot !== col) {
      for (let k = 0; k < 4; k++) [m[col * 4 + k], m[pivot * 4 + k]] = [m[pivot * 4 + k]!, m[col * 4 + k]!];
      for (let k = 0; k < 3; k++) [x[col * 3 + k], x[pivot * 3 + k]] = [x[pivot * 3 + k]!, x[col * 3 + k]!];
    }
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = m[r * 4 + col]! / m[col * 4 + col]!;
      if (f === 0) continue;
      for (let k = col; k < 4; k++) m[r * 4 + k]! -= f * m[col * 4 + k]!;
      for (let k = 0; k < 3; k++) x[r * 3 + k]! -= f * x[col * 3 + k]!;
    }
  }
  for (let r = 0; r < 4; r++) for (let k = 0; k < 3; k++) x[r * 3 + k]! /= m[r * 4 + r]!;
  return x;
}

export function applyAffineColour(image: RgbImage, map: AffineColourMap): RgbImage {
  const out = createImage(image.width, image.height);
  const x = image.data;
  for (let p = 0; p < x.length; p += 3) {
    for (let c = 0; c < 3; c++) {
      const row = map.matrix[c]!;
      const v = row[0]! * x[p]! + row[1]! * x[p + 1]! + row[2]! * x[p + 2]! + map.offset[c]!;
      out.data[p + c] = v > 0 ? (v < 1 ? v : 1) : 0;
    }
  }
  return out;
}

export interface QualityBaselines {
  /** Mean PSNR / SSIM of the input itself against the target (a model that does nothing). */
  readonly identityPsnr: number;
  readonly identitySsim: number;
  /** Mean PSNR / SSIM of the affine colour map fitted on the training pairs. */
  readonly affinePsnr: number;
  readonly affineSsim: number;
}

/** Both baselines on `evaluation`, the affine map fitted on `training` only (never on what it is scored on). */
export function qualityBaselines(training: readonly ImagePairLike[], evaluation: readonly ImagePairLike[]): QualityBaselines {
  if (evaluation.length === 0) return { identityPsnr: NaN, identitySsim: NaN, affinePsnr: NaN, affineSsim: NaN };
  const map = fitAffineColour(training);
  let ip = 0,
    is = 0,
    ap = 0,
    as = 0;
  for (const pair of evaluation) {
    const fitted = applyAffineColour(pair.input, map);
    ip += psnr(pair.input, pair.target);
    is += ssim(pair.input, pair.target);
    ap += psnr(fitted, pair.target);
    as += ssim(fitted, pair.target);
  }
  const n = evaluation.length;
  return { identityPsnr: ip / n, identitySsim: is / n, affinePsnr: ap / n, affineSsim: as / n };
}

/** The better (higher-PSNR) of the two baselines: what a model's margin is measured against. */
export function bestBaselinePsnr(baselines: Pick<QualityBaselines, 'identityPsnr' | 'affinePsnr'>): number {
  return Math.max(baselines.identityPsnr, baselines.affinePsnr);
}
