import { loraNames, mergeLora } from '../../native-models/e2gan/lora';
import { RunDir } from '../../native-models/e2gan/run-dir';
import { TOKENS_NAME } from '../../native-models/e2gan/train-step';
import { resolveRunModels, type RunModels, type TrainSettings } from '../../native-models/e2gan/trainer';
import { buildPhoneGraph, PHONE_INPUT, PHONE_OUTPUT } from '../../native-models/export/phone-graph';

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
 * that step, so the live preview shows what a finished run would ship. Works mid-run: it needs only run.json
 * and the checkpoint file, not the final concept.safetensors.
 */
export async function buildLiveModel(runPath: string, step?: number, cache: LiveModelCache = {}): Promise<BuiltLiveModel> {
  const run = new RunDir(runPath);
  const settings = (await run.readSettings()) as TrainSettings | undefined;
  if (!settings) throw new Error(`${run.settingsPath}: missing; the run has not started training yet`);
  if (settings.mode !== 'lora') throw new Error(`${runPath}: live preview supports LoRA runs; this run's mode is '${settings.mode}'`);
  const onDisk = await run.listCheckpoints();
  const chosen = step !== undefined && onDisk.includes(step) ? step : onDisk.at(-1);
  if (chosen === undefined) throw new Error(`${run.checkpointsPath}: no checkpoint yet`);
  const checkpoint = await run.loadCheckpoint(chosen);
  // The base and LoRA placement depend only on run.json; a training job reuses them for every checkpoint.
  cache.models ??= await resolveRunModels(settings);
  const models = cache.models;
  const tensor = (name: string): Float32Array => {
    const found = checkpoint.tensors.get(`ema.${name}`);
    if (!found) throw new Error(`${run.checkpointPath(chosen)}: missing tensor 'ema.${name}'`);
    return found.data;
  };
  const lora = new Map<string, Float32Array>();
  for (const placement of models.placement) {
    const names = loraNames(placement.layer);
    lora.set(names.a, tensor(names.a));
    lora.set(names.b, tensor(names.b));
  }
  const weights = mergeLora(models.generatorConfig, models.generator, models.placement, lora);
  const bytes = buildPhoneGraph(models.generatorConfig, weights, tensor(TOKENS_NAME));
  return {
    step: chosen, bytes, width: models.generatorConfig.width, height: models.generatorConfig.height, inputName: PHONE_INPUT, outputName: PHONE_OUTPUT,
  };
}
