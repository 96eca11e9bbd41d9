import type { TrainingSettingsSummary } from '../domain/training-types';

export interface MeasuredSpeed {
  runId: number;
  settings: TrainingSettingsSummary;
  itPerSec: number;
  executionProvider: string | null;
}

/**
 * Wall time of a run with `settings` on this machine, from the speed an earlier run measured. A step's cost
 * grows with the pixel count, so a run at another resolution is scaled by the area ratio; a run at the same
 * resolution (and the same execution provider when one was asked for) is preferred because it needs no
 * scaling. Null before any run measured a speed: no made-up figure.
 */
export function estimateTrainingTime(
  settings: TrainingSettingsSummary,
  measured: readonly MeasuredSpeed[],
): { seconds: number; basis: string; scaled: boolean } | null {
  const provider = settings.executionProvider === 'auto' ? null : settings.executionProvider;
  const usable = measured.filter((speed) => speed.itPerSec > 0 && speed.settings.size > 0 && (provider === null || speed.executionProvider === provider));
  const reference = usable.find((speed) => speed.settings.size === settings.size) ?? usable[0];
  if (!reference) return null;
  const areaRatio = (settings.size / reference.settings.size) ** 2;
  const seconds = (settings.steps / reference.itPerSec) * areaRatio;
  const scaled = areaRatio === 1 ? '' : `, scaled from ${reference.settings.size} px to ${settings.size} px`;
  // Its trial count depends on what it finds, so its time is not guessed.
  const search = settings.rank === 'auto' ? '; not counting the rank search before step 0' : '';
  return {
    seconds,
    scaled: areaRatio !== 1,
    basis: `run #${reference.runId} measured ${reference.itPerSec.toFixed(2)} steps/s${reference.executionProvider ? ` on ${reference.executionProvider}` : ''}${scaled}${search}`,
  };
}
