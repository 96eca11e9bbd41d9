import { baseModelOf, type RunConcept } from '../../native-models/e2gan/run-model';
import type { RunDir } from '../../native-models/e2gan/run-dir';
import { loraNames } from '../../native-models/e2gan/lora';
import { TOKENS_NAME } from '../../native-models/e2gan/train-step';
import { resolveRunModels, type FineTuneSettings, type RunModels } from '../../native-models/e2gan/trainer';
import type { Weights } from '../../native-models/e2gan/weights';

/** What the trainer would save as concept.safetensors had the run ended at this checkpoint (its EMA weights). */
export interface CheckpointConcept {
  step: number;
  settings: FineTuneSettings;
  models: RunModels;
  lora: Weights;
  tokens: Float32Array;
}

export interface CheckpointModelCache {
  models?: RunModels;
}

/** A run as its checkpoints are read: where they are, and the settings it trains with (its database row). */
export interface CheckpointedRun {
  readonly checkpoints: Pick<RunDir, 'listCheckpoints' | 'loadCheckpoint' | 'checkpointPath'>;
  readonly settings: FineTuneSettings;
}

/**
 * A LoRA run's concept at one of its checkpoints (the newest when `step` is absent or no longer on disk). Needs
 * only the settings and the checkpoint file, so it works while the run trains. Training keeps the newest two
 * checkpoints and deletes older ones as new ones land: a file that vanishes between listing and reading is
 * looked up again.
 */
export async function loadCheckpointConcept(run: CheckpointedRun, step?: number, cache: CheckpointModelCache = {}): Promise<CheckpointConcept> {
  const { checkpoints, settings } = run;
  if (settings.mode !== 'lora') throw new Error(`only LoRA runs have a concept per checkpoint; this run's mode is '${settings.mode}'`);
  for (let attempt = 0; ; attempt++) {
    const onDisk = await checkpoints.listCheckpoints();
    const chosen = step !== undefined && onDisk.includes(step) ? step : onDisk.at(-1);
    if (chosen === undefined) throw new Error('the run has no checkpoint yet');
    let checkpoint;
    try {
      checkpoint = await checkpoints.loadCheckpoint(chosen);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
      throw error;
    }
    // The base and LoRA placement depend only on the settings; a training job reuses them for every checkpoint.
    cache.models ??= await resolveRunModels(settings);
    const models = cache.models;
    const tensor = (name: string): Float32Array => {
      const found = checkpoint.tensors.get(`ema.${name}`);
      if (!found) throw new Error(`${checkpoints.checkpointPath(chosen)}: missing tensor 'ema.${name}'`);
      return found.data;
    };
    const lora: Weights = new Map();
    for (const placement of models.placement) {
      const names = loraNames(placement.layer);
      lora.set(names.a, tensor(names.a));
      lora.set(names.b, tensor(names.b));
    }
    return { step: chosen, settings, models, lora, tokens: tensor(TOKENS_NAME) };
  }
}

/**
 * A run's checkpoint of `step` (the newest when absent or rotated away) as the concept the export path takes,
 * in memory: what a finished run would hold had it stopped there (its steps say so).
 */
export async function checkpointSnapshot(run: CheckpointedRun, step?: number): Promise<RunConcept<FineTuneSettings>> {
  const concept = await loadCheckpointConcept(run, step);
  const settings: FineTuneSettings = { ...concept.settings, steps: concept.step };
  return {
    config: concept.models.generatorConfig,
    base: concept.models.generator,
    placement: [...concept.models.placement],
    lora: concept.lora,
    tokens: concept.tokens,
    settings,
    baseModel: await baseModelOf(settings),
  };
}
