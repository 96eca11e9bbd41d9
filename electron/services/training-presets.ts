import type { TrainingAdvanced, TrainingPreset, TrainingSettingsSummary } from '../domain/training-types';

/**
 * What each preset means, sized for a 2-core laptop CPU: Fast <= 90 s at 128 px, Balanced <= 10 min at 256 px,
 * Quality for a longer run. The learning rates come from a recorded sweep (docs/results.md, "Recipe"): short
 * LoRA runs are under-trained at 2e-3, so Fast uses 1e-2 (rank 8 beat rank 4 at the same budget); longer runs
 * take a smaller step. Fast's 600 steps (was 300) take ~38 s per concept on a loaded 2-core CPU and add ~0.4 dB on
 * the held-out concepts; 900 steps gave no more. Balanced's 1200 steps (was 600) take ~5 min per concept at 256 px
 * here (budget 10 min) and add ~0.5 dB. Checkpoints and previews come often enough that the live preview and preview grid move.
 */
const PRESETS: Record<TrainingPreset, Omit<TrainingSettingsSummary, 'preset'>> = {
  fast: { steps: 600, size: 128, rank: 8, learningRate: 1e-2, executionProvider: 'auto', checkpointEvery: 50, previewEvery: 50 },
  balanced: { steps: 1200, size: 256, rank: 8, learningRate: 5e-3, executionProvider: 'auto', checkpointEvery: 100, previewEvery: 100 },
  quality: { steps: 2000, size: 256, rank: 16, learningRate: 5e-3, executionProvider: 'auto', checkpointEvery: 250, previewEvery: 250 },
};

export function resolveTrainingSettings(preset: TrainingPreset, advanced: TrainingAdvanced = {}): TrainingSettingsSummary {
  const base = PRESETS[preset];
  if (!base) throw new Error(`preset: expected fast, balanced or quality, got '${String(preset)}'`);
  const steps = advanced.steps ?? base.steps;
  // Short runs (tests, quick looks) still get a checkpoint and a preview before they end.
  const every = (interval: number) => Math.max(1, Math.min(interval, Math.ceil(steps / 2)));
  return {
    preset,
    steps,
    size: advanced.size ?? base.size,
    rank: advanced.rank ?? base.rank,
    learningRate: advanced.learningRate ?? base.learningRate,
    executionProvider: advanced.executionProvider ?? base.executionProvider,
    checkpointEvery: every(base.checkpointEvery),
    previewEvery: every(base.previewEvery),
  };
}
