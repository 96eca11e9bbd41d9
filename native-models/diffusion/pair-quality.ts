import { luminance, type RgbImage } from '../image/image';
import { gaussianBlurPlane, gradientMagnitude } from '../image/filters';
import { colorHistogram, psnr, ssim } from '../image/metrics';
import { resize } from '../image/transform';

/**
 * Pair quality guard: a generated target must differ from its input (otherwise the pair teaches "do
 * nothing") but still show the same scene (otherwise it teaches hallucination). Metrics run on a
 * downscaled copy so the guard costs milliseconds per pair.
 */
export interface PairQualityThresholds {
  /** At or above this SSIM the output counts as unchanged. */
  identicalSsim: number;
  /** At or above this PSNR (dB) the output counts as unchanged. */
  identicalPsnr: number;
  /**
   * Below this correlation of edge maps the output counts as a different scene. Edges, not SSIM: restyles
   * (sketch, night, invert) keep where the edges are while changing colours and tones completely.
   */
  minEdgeCorrelation: number;
}

export const DEFAULT_PAIR_QUALITY_THRESHOLDS: PairQualityThresholds = {
  identicalSsim: 0.95,
  identicalPsnr: 35,
  minEdgeCorrelation: 0.15,
};

export interface PairQualityMetrics {
  ssim: number;
  psnr: number;
  /** Pearson correlation of the two images' blurred luminance-gradient magnitudes: layout kept = high. */
  edgeCorrelation: number;
  /** Overlap (sum of minima) of 4x4x4 colour histograms, 1 = same palette. */
  colorOverlap: number;
}

export interface PairQualityVerdict {
  ok: boolean;
  /** Why the pair was rejected, in words for the user; undefined when ok. */
  reason: string | undefined;
  metrics: PairQualityMetrics;
}

const ANALYSIS_SIZE = 128;

function downscale(image: RgbImage): RgbImage {
  const scale = ANALYSIS_SIZE / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  return resize(image, Math.max(8, Math.round(image.width * scale)), Math.max(8, Math.round(image.height * scale)));
}

function pearson(a: Float32Array, b: Float32Array): number {
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < a.length; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= a.length;
  meanB /= b.length;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  // Two flat images have the same (absent) layout; one flat and one textured do not.
  if (varA === 0 || varB === 0) return varA === varB ? 1 : 0;
  return cov / Math.sqrt(varA * varB);
}

function edgeMap(image: RgbImage): Float32Array {
  const blurred = gaussianBlurPlane(luminance(image), image.width, image.height, 1);
  return gradientMagnitude(blurred, image.width, image.height);
}

export function measurePair(input: RgbImage, output: RgbImage): PairQualityMetrics {
  if (input.width !== output.width || input.height !== output.height) {
    throw new Error(`pair quality: input is ${input.width}x${input.height}, output ${output.width}x${output.height}; compare same-sized images`);
  }
  const a = downscale(input);
  const b = downscale(output);
  const histA = colorHistogram(a, 4);
  const histB = colorHistogram(b, 4);
  let overlap = 0;
  for (let i = 0; i < histA.length; i++) overlap += Math.min(histA[i]!, histB[i]!);
  return { ssim: ssim(a, b), psnr: psnr(a, b), edgeCorrelation: pearson(edgeMap(a), edgeMap(b)), colorOverlap: overlap };
}

export function checkPairQuality(input: RgbImage, output: RgbImage, thresholds: PairQualityThresholds = DEFAULT_PAIR_QUALITY_THRESHOLDS): PairQualityVerdict {
  const metrics = measurePair(input, output);
  const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'inf');
  if (metrics.ssim >= thresholds.identicalSsim || metrics.psnr >= thresholds.identicalPsnr) {
    return {
      ok: false,
      reason: `output is nearly identical to the input (SSIM ${fmt(metrics.ssim)}, PSNR ${fmt(metrics.psnr, 1)} dB): the edit changed almost nothing; try a stronger guidance or another prompt`,
      metrics,
    };
  }
  if (metrics.edgeCorrelation < thresholds.minEdgeCorrelation) {
    return {
      ok: false,
      reason: `output looks unrelated to the input (edge correlation ${fmt(metrics.edgeCorrelation)}, SSIM ${fmt(metrics.ssim)}, colour overlap ${fmt(metrics.colorOverlap)}): the scene was not kept; try a higher image guidance or lower strength`,
      metrics,
    };
  }
  return { ok: true, reason: undefined, metrics };
}
