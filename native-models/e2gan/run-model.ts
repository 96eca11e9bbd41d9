import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptDelta, sameArchitecture } from './concept';
import type { GeneratorConfig } from './config';
import { mergeLora } from './lora';
import { RunDir } from './run-dir';
import { resolveRunModels, type TrainSettings } from './trainer';
import { loadBaseModel, type Weights } from './weights';

/** A finished run's generator, ready for inference or export: merged weights + concept tokens. */
export interface RunGenerator {
  readonly config: GeneratorConfig;
  readonly weights: Weights;
  readonly tokens: Float32Array;
  readonly settings: TrainSettings;
}

export async function loadRunGenerator(runPath: string): Promise<RunGenerator> {
  const settings = (await new RunDir(runPath).readSettings()) as TrainSettings | undefined;
  if (!settings) throw new Error(`${runPath}: not a training run (run.json missing)`);
  const conceptPath = join(runPath, 'concept.safetensors');
  const generatorPath = join(runPath, 'generator.safetensors');
  if (settings.mode === 'lora') {
    if (!existsSync(conceptPath)) throw new Error(`${conceptPath}: missing; the run has not finished (resume it with e2gan train --out ${runPath} --resume)`);
    const concept = await loadConceptDelta(conceptPath);
    // The base is re-derived exactly as training saw it (base file, or the same seeded random init).
    const models = await resolveRunModels(settings);
    if (!sameArchitecture(models.generatorConfig, concept.generatorConfig)) {
      throw new Error(`${conceptPath}: concept was trained for a different generator than ${settings.base ?? 'the run\'s random base'}`);
    }
    return { config: models.generatorConfig, weights: mergeLora(models.generatorConfig, models.generator, concept.placement, concept.lora), tokens: concept.tokens, settings };
  }
  if (!existsSync(generatorPath)) throw new Error(`${generatorPath}: missing; the run has not finished (resume it with e2gan train --out ${runPath} --resume)`);
  const model = await loadBaseModel(generatorPath);
  const tokens = model.conceptTokens?.get('concept');
  if (!tokens) throw new Error(`${generatorPath}: no concept tokens stored`);
  return { config: model.generatorConfig, weights: model.generator, tokens, settings };
}
