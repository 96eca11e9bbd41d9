/**
 * A finished run's quality at a given resolution (the export size, which may differ from the training size):
 * the run's held-out pairs are re-read at that size and scored next to both baselines, the affine colour map
 * fitted on the run's training pairs at the same size.
 */
import { qualityBaselines, type QualityBaselines } from '../image/colour-baselines';
import { totalStride } from './config';
import { loadPairsDir } from './pairs-dir';
import { loadRunGenerator } from './run-model';
import { scoreHeldOut } from './trainer';

export interface RunQuality extends QualityBaselines {
  readonly size: number;
  /** Held-out pairs scored; 0 when the run held none out (then the figures are NaN). */
  readonly heldOutPairs: number;
  readonly psnr: number;
}

export async function runQualityAtSize(runPath: string, size: number): Promise<RunQuality> {
  const run = await loadRunGenerator(runPath);
  const stride = totalStride(run.config);
  if (!Number.isInteger(size) || size < stride || size % stride !== 0) {
    throw new Error(`export size ${size}: expected a positive multiple of ${stride} (the generator's total stride)`);
  }
  const loaded = await loadPairsDir(run.settings.pairs, { size });
  const heldOut = Math.min(run.settings.heldOut, Math.max(0, loaded.pairs.length - 1));
  const train = loaded.pairs.slice(0, loaded.pairs.length - heldOut);
  const evaluation = loaded.pairs.slice(loaded.pairs.length - heldOut);
  const config = { ...run.config, height: size, width: size };
  const score = await scoreHeldOut(config, run.weights, run.tokens, evaluation);
  return { size, heldOutPairs: evaluation.length, psnr: score.psnr, ...qualityBaselines(train, evaluation) };
}
