/**
 * Reading a training run's quality: a smoothed L1 curve (raw per-step losses jump with each batch) and a plain
 * verdict of the newest held-out PSNR against the two baselines that need no training.
 */
import type { QualityBaselines, TrainingRun } from '../../../electron/domain/training-types';

/** Exponential moving average, debiased so the first points are not pulled towards zero. */
export function smooth(values: readonly (number | null)[], weight = 0.8): (number | null)[] {
  let average = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    count += 1;
    average = weight * average + (1 - weight) * value;
    return average / (1 - weight ** count);
  });
}

export type QualityVerdict =
  | { kind: 'unknown'; message: string }
  | { kind: 'below-identity' | 'below-affine' | 'beats-baselines'; psnr: number; baselines: QualityBaselines; message: string };

/** The newest held-out PSNR of a run compared with its baselines, as one sentence an artist can act on. */
export function qualityVerdict(run: Pick<TrainingRun, 'previews' | 'baselines'>): QualityVerdict {
  const psnr = [...run.previews].reverse().find((preview) => preview.heldOutPsnr !== null)?.heldOutPsnr ?? null;
  const baselines = run.baselines;
  if (psnr === null || baselines === null) {
    return { kind: 'unknown', message: 'No held-out score with baselines yet: it appears with the first preview.' };
  }
  const db = (value: number) => `${value.toFixed(1)} dB`;
  if (psnr <= baselines.identityPsnr) {
    return {
      kind: 'below-identity',
      psnr,
      baselines,
      message: `Not better than doing nothing: ${db(psnr)} on held-out photos vs ${db(baselines.identityPsnr)} for the unchanged photo. Train longer, or check the pairs.`,
    };
  }
  if (psnr <= baselines.affinePsnr) {
    return {
      kind: 'below-affine',
      psnr,
      baselines,
      message: `Not better than a colour-curve fit: ${db(psnr)} on held-out photos vs ${db(baselines.affinePsnr)} for a fitted colour map. Train longer, or use more pairs.`,
    };
  }
  return {
    kind: 'beats-baselines',
    psnr,
    baselines,
    message: `Beats both baselines on held-out photos: ${db(psnr)} vs ${db(baselines.affinePsnr)} (colour-curve fit) and ${db(baselines.identityPsnr)} (unchanged photo).`,
  };
}
