import { mergeLora } from '../../native-models/e2gan/lora';
import type { RunModels } from '../../native-models/e2gan/trainer';
import { buildPhoneGraph, PHONE_INPUT, PHONE_OUTPUT } from '../../native-models/export/phone-graph';
import { loadCheckpointConcept, type CheckpointedRun } from './checkpoint-concept';

export interface BuiltLiveModel {
  step: number;
  bytes: Uint8Array;
  width: number;
  height: number;
  inputName: string;
  outputName: string;
}

export interface LiveModelCache {
  models?: RunModels;
}

/**
 * The phone graph (RGBA uint8 in/out) of a run's checkpoint, from the EMA weights the trainer would export at
 * that step, so the live preview shows what a finished run would ship. Works mid-run: it needs only the run's
 * settings and the checkpoint file, not the final concept.safetensors.
 */
export async function buildLiveModel(run: CheckpointedRun, step?: number, cache: LiveModelCache = {}): Promise<BuiltLiveModel> {
  const { step: chosen, models, lora, tokens } = await loadCheckpointConcept(run, step, cache);
  const weights = mergeLora(models.generatorConfig, models.generator, models.placement, lora);
  const bytes = buildPhoneGraph(models.generatorConfig, weights, tokens);
  return {
    step: chosen,
    bytes,
    width: models.generatorConfig.width,
    height: models.generatorConfig.height,
    inputName: PHONE_INPUT,
    outputName: PHONE_OUTPUT,
  };
}
