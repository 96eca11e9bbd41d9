/**
 * A finished run's quality at a given resolution (the export size, which may differ from the training size):
 * the run's held-out pairs are re-read at that size and scored next to both baselines, the affine colour map
 * fitted on the run's training pairs at the same size.
 */
import { qualityBaselines, type QualityBaselines } from '../image/colour-baselines';
import { resizeCover } from '../image/transform';
import { totalStride } from './config';
import { loadPairsDir } from './pairs-dir';
import { loadRunGenerator, type RunGenerator } from './run-model';
import { scoreHeldOut, type FineTuneSettings, type NamedPair } from './trainer';

export interface RunQuality extends QualityBaselines {
  readonly size: number;
  /** Held-out pairs scored; 0 when the run held none out (then the figures are NaN). */
  readonly heldOutPairs: number;
  readonly psnr: number;
}

/** runQualityAtSize on a run folder of the CLI's format: its generator and its settings' pairs folder. */
export async function runQualityAtSize(runPath: string, size: number): Promise<RunQuality> {
  const run = await loadRunGenerator(runPath);
  checkExportSize(run, size);
  const loaded = await loadPairsDir(run.settings.pairs, { size });
  return runQualityOfPairs(run, run.settings.heldOut, loaded.pairs, size);
}

/**
 * The quality of `run` at `size` on its pairs in memory, in the order it trained on them (the last `heldOut`
 * were held out); pairs not already at `size` are resized (cover + centre crop) as the folder reader does.
 */
export async function runQualityOfPairs(
  run: Pick<RunGenerator<FineTuneSettings>, 'config' | 'weights' | 'tokens'>,
  heldOutSetting: number,
  pairs: readonly NamedPair[],
  size: number,
): Promise<RunQuality> {
  checkExportSize(run, size);
  const sized = pairs.map((pair) =>
    pair.input.width === size && pair.input.height === size && pair.target.width === size && pair.target.height === size
      ? pair
      : { name: pair.name, input: resizeCover(pair.input, size, size), target: resizeCover(pair.target, size, size) },
  );
  const heldOut = Math.min(heldOutSetting, Math.max(0, sized.length - 1));
  const train = sized.slice(0, sized.length - heldOut);
  const evaluation = sized.slice(sized.length - heldOut);
  const config = { ...run.config, height: size, width: size };
  const score = await scoreHeldOut(config, run.weights, run.tokens, evaluation);
  return { size, heldOutPairs: evaluation.length, psnr: score.psnr, ...qualityBaselines(train, evaluation) };
}

function checkExportSize(run: Pick<RunGenerator<FineTuneSettings>, 'config'>, size: number): void {
  const stride = totalStride(run.config);
  if (!Number.isInteger(size) || size < stride || size % stride !== 0) {
    throw new Error(`export size ${size}: expected a positive multiple of ${stride} (the generator's total stride)`);
  }
}
