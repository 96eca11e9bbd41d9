import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadConceptDelta, sameArchitecture } from '../e2gan/concept';
import type { GeneratorConfig, LoraPlacement } from '../e2gan/config';
import { RunDir } from '../e2gan/run-dir';
import { resolveRunModels, type TrainSettings } from '../e2gan/trainer';
import { loadBaseModel } from '../e2gan/weights';

/** A finished run in the unmerged form export needs: the base, the LoRA delta and its placement, the tokens. */
export interface RunForExport {
  config: GeneratorConfig;
  base: Map<string, Float32Array>;
  placement: LoraPlacement[];
  lora: Map<string, Float32Array>;
  tokens: Float32Array;
  settings: TrainSettings;
  baseModel: { id: string; sha256: string };
}

export async function loadRunForExport(runPath: string): Promise<RunForExport> {
  const settings = (await new RunDir(runPath).readSettings()) as TrainSettings | undefined;
  if (!settings) throw new Error(`${runPath}: not a training run (run.json missing)`);
  const baseModel = settings.base
    ? { id: basename(settings.base), sha256: createHash('sha256').update(await readFile(settings.base)).digest('hex') }
    : { id: `random-${settings.preset}-seed${settings.seed}`, sha256: '' };
  if (settings.mode === 'lora') {
    const conceptPath = join(runPath, 'concept.safetensors');
    if (!existsSync(conceptPath)) throw new Error(`${conceptPath}: missing; the run has not finished (resume it with e2gan train --out ${runPath} --resume)`);
    const concept = await loadConceptDelta(conceptPath);
    const models = await resolveRunModels(settings);
    if (!sameArchitecture(models.generatorConfig, concept.generatorConfig)) {
      throw new Error(`${conceptPath}: concept was trained for a different generator than ${settings.base ?? "the run's random base"}`);
    }
    return {
      config: models.generatorConfig, base: models.generator, placement: [...concept.placement], lora: new Map(concept.lora),
      tokens: concept.tokens, settings, baseModel,
    };
  }
  // Full fine-tune / from scratch: the whole generator is the concept; there is no LoRA to merge.
  const generatorPath = join(runPath, 'generator.safetensors');
  if (!existsSync(generatorPath)) throw new Error(`${generatorPath}: missing; the run has not finished (resume it with e2gan train --out ${runPath} --resume)`);
  const model = await loadBaseModel(generatorPath);
  const tokens = model.conceptTokens?.get('concept');
  if (!tokens) throw new Error(`${generatorPath}: no concept tokens stored`);
  return { config: model.generatorConfig, base: model.generator, placement: [], lora: new Map(), tokens, settings, baseModel };
}
