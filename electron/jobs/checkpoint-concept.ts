import path from 'node:path';
import { saveConceptDelta } from '../../native-models/e2gan/concept';
import { loraNames } from '../../native-models/e2gan/lora';
import { RunDir } from '../../native-models/e2gan/run-dir';
import { TOKENS_NAME } from '../../native-models/e2gan/train-step';
import { resolveRunModels, type RunModels, type TrainSettings } from '../../native-models/e2gan/trainer';
import type { Weights } from '../../native-models/e2gan/weights';

/** What the trainer would save as concept.safetensors had the run ended at this checkpoint (its EMA weights). */
export interface CheckpointConcept {
  step: number;
  settings: TrainSettings;
  models: RunModels;
  lora: Weights;
  tokens: Float32Array;
}

export interface CheckpointModelCache {
  models?: RunModels;
}

/**
 * A LoRA run's concept at one of its checkpoints (the newest when `step` is absent or no longer on disk). Needs
 * only run.json and the checkpoint file, so it works while the run trains. Training keeps the newest two
 * checkpoints and deletes older ones as new ones land: a file that vanishes between listing and reading is
 * looked up again.
 */
export async function loadCheckpointConcept(runPath: string, step?: number, cache: CheckpointModelCache = {}): Promise<CheckpointConcept> {
  const run = new RunDir(runPath);
  const settings = (await run.readSettings()) as TrainSettings | undefined;
  if (!settings) throw new Error(`${run.settingsPath}: missing; the run has not started training yet`);
  if (settings.mode !== 'lora') throw new Error(`${runPath}: only LoRA runs have a concept per checkpoint; this run's mode is '${settings.mode}'`);
  for (let attempt = 0; ; attempt++) {
    const onDisk = await run.listCheckpoints();
    const chosen = step !== undefined && onDisk.includes(step) ? step : onDisk.at(-1);
    if (chosen === undefined) throw new Error(`${run.checkpointsPath}: no checkpoint yet`);
    let checkpoint;
    try {
      checkpoint = await run.loadCheckpoint(chosen);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
      throw error;
    }
    // The base and LoRA placement depend only on run.json; a training job reuses them for every checkpoint.
    cache.models ??= await resolveRunModels(settings);
    const models = cache.models;
    const tensor = (name: string): Float32Array => {
      const found = checkpoint.tensors.get(`ema.${name}`);
      if (!found) throw new Error(`${run.checkpointPath(chosen)}: missing tensor 'ema.${name}'`);
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
 * Writes a finished-run folder (run.json + concept.safetensors) for a run's checkpoint of `step` (the newest when
 * absent or rotated away) into `outDir`, so the export path that takes finished runs exports a snapshot of one
 * still training, unchanged. The settings keep the source run's pairs folder (previews, held-out score) and say
 * the steps it had reached.
 */
export async function writeCheckpointSnapshot(runPath: string, outDir: string, step?: number): Promise<{ step: number }> {
  const concept = await loadCheckpointConcept(runPath, step);
  const snapshot = new RunDir(outDir);
  await snapshot.writeSettings({ ...concept.settings, steps: concept.step });
  const info = { steps: String(concept.step), mode: concept.settings.mode, base: concept.settings.base ?? `random-init(seed=${concept.settings.seed})`, snapshotOf: runPath };
  await saveConceptDelta(path.join(outDir, 'concept.safetensors'), {
    generatorConfig: concept.models.generatorConfig, placement: concept.models.placement, lora: concept.lora, tokens: concept.tokens, info,
  });
  return { step: concept.step };
}
