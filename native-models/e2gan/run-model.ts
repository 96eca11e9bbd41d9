import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadConceptDelta, sameArchitecture } from './concept';
import type { GeneratorConfig, LoraPlacement } from './config';
import { mergeLora } from './lora';
import { RunDir } from './run-dir';
import { resolveRunModels, type FineTuneSettings, type TrainSettings } from './trainer';
import { loadBaseModel, type Weights } from './weights';

/**
 * A finished run as trained: the base it started from, the LoRA delta and its placement (empty for full
 * fine-tunes and from-scratch runs, whose whole generator is the concept), and the concept tokens. Export
 * needs this unmerged form to check the merged graph against the training graph.
 */
export interface RunConcept<Settings extends FineTuneSettings = TrainSettings> {
  readonly config: GeneratorConfig;
  readonly base: Weights;
  readonly placement: LoraPlacement[];
  readonly lora: Weights;
  readonly tokens: Float32Array;
  readonly settings: Settings;
  /** Identifies the base: its file name and sha256, or the seeded random init it was made from. */
  readonly baseModel: { id: string; sha256: string };
}

/** A finished run's generator, ready for inference: LoRA merged into the base, plus the concept tokens. */
export interface RunGenerator<Settings extends FineTuneSettings = TrainSettings> {
  readonly config: GeneratorConfig;
  readonly weights: Weights;
  readonly tokens: Float32Array;
  readonly settings: Settings;
}

/** A finished run folder of the CLI's format: settings from its run.json (see loadTrainedConcept). */
export async function loadRunConcept(runPath: string): Promise<RunConcept> {
  const settings = (await new RunDir(runPath).readSettings()) as TrainSettings | undefined;
  if (!settings) throw new Error(`${runPath}: not a training run (run.json missing)`);
  return loadTrainedConcept(runPath, settings);
}

/**
 * The trained generator a run left in `runPath` (concept.safetensors or generator.safetensors), read with the
 * settings the caller keeps for the run (the CLI's run.json, the studio's database row).
 */
export async function loadTrainedConcept<Settings extends FineTuneSettings>(runPath: string, settings: Settings): Promise<RunConcept<Settings>> {
  const unfinished = (file: string): Error => new Error(`${file}: missing; the run has not finished (resume it with e2gan train --out ${runPath} --resume)`);
  const baseModel = await baseModelOf(settings);
  if (settings.mode === 'lora') {
    const conceptPath = join(runPath, 'concept.safetensors');
    if (!existsSync(conceptPath)) throw unfinished(conceptPath);
    const concept = await loadConceptDelta(conceptPath);
    // The base is re-derived exactly as training saw it (base file, or the same seeded random init).
    const models = await resolveRunModels(settings);
    if (!sameArchitecture(models.generatorConfig, concept.generatorConfig)) {
      throw new Error(`${conceptPath}: concept was trained for a different generator than ${settings.base ?? "the run's random base"}`);
    }
    return {
      config: models.generatorConfig,
      base: models.generator,
      placement: [...concept.placement],
      lora: new Map(concept.lora),
      tokens: concept.tokens,
      settings,
      baseModel,
    };
  }
  const generatorPath = join(runPath, 'generator.safetensors');
  if (!existsSync(generatorPath)) throw unfinished(generatorPath);
  const model = await loadBaseModel(generatorPath);
  const tokens = model.conceptTokens?.get('concept');
  if (!tokens) throw new Error(`${generatorPath}: no concept tokens stored`);
  return { config: model.generatorConfig, base: model.generator, placement: [], lora: new Map(), tokens, settings, baseModel };
}

/** Names the base a run started from: its file name and sha256, or the seeded random init it was made from. */
export async function baseModelOf(settings: Pick<FineTuneSettings, 'base' | 'preset' | 'seed'>): Promise<{ id: string; sha256: string }> {
  return settings.base
    ? {
        id: basename(settings.base),
        sha256: createHash('sha256')
          .update(await readFile(settings.base))
          .digest('hex'),
      }
    : { id: `random-${settings.preset}-seed${settings.seed}`, sha256: '' };
}

export async function loadRunGenerator(runPath: string): Promise<RunGenerator> {
  return generatorOf(await loadRunConcept(runPath));
}

/** A run's concept ready for inference: its LoRA merged into the base (full runs' base is the generator). */
export function generatorOf<Settings extends FineTuneSettings>(run: RunConcept<Settings>): RunGenerator<Settings> {
  const weights = run.placement.length > 0 ? mergeLora(run.config, run.base, run.placement, run.lora) : run.base;
  return { config: run.config, weights, tokens: run.tokens, settings: run.settings };
}
