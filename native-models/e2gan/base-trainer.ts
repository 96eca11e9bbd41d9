import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ComputeClient, ExecutionProviderName, WireTensor } from '../runtime';
import { imagesToNchw } from '../image/image';
import { writeFileAtomic } from '../io/atomic-file';
import { getTeacher } from '../teachers';
import { EpochSampler } from './augment';
import { DEFAULT_BASE_AUGMENTATION, DEFAULT_HELD_OUT_CONCEPTS, loadPhotoSet, makeExample, splitConcepts, type BaseAugmentation } from './base-data';
import {
  conceptTokensShape,
  countParameters,
  discriminatorForSize,
  generatorParameters,
  generatorPreset,
  type DiscriminatorConfig,
  type GeneratorConfig,
  type WidthPreset,
} from './config';
import { RunDir, type LossRecord } from './run-dir';
import { learningRateAt } from './schedule';
import { BASE_CONFIG_FILE, BASE_WEIGHTS_FILE } from './shipped-base';
import { baseStepConfigFor, compileGanStep, CONCEPT_INPUT, TOKEN_TABLE_NAME, type GanLoss } from './train-step';
import { initialStepState, resumedRng, runSettings, runTrainingLoop } from './training-loop';
import { sameArchitecture } from './concept';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights, loadBaseModel, saveBaseModel, type Weights } from './weights';

/** Everything that defines a base pre-training run; stored in run.json so --resume continues the same run. */
export interface BaseTrainSettings {
  /** Photo folders or files; the last `evaluationPhotos` (sorted by path) are never trained on. */
  readonly photos: readonly string[];
  readonly evaluationPhotos: number;
  /** Concepts pre-trained (resolved ids, held-out ones excluded). */
  readonly concepts: readonly string[];
  readonly heldOutConcepts: readonly string[];
  readonly preset: WidthPreset;
  readonly size: number;
  readonly steps: number;
  readonly batch: number;
  readonly learningRate: number;
  readonly discriminatorLrRatio: number;
  readonly warmupSteps: number;
  readonly decay: 'constant' | 'linear' | 'cosine';
  readonly ganLoss: GanLoss;
  readonly l1Weight: number;
  readonly adversarialWeight: number;
  readonly seed: number;
  readonly checkpointEvery: number;
  readonly augment: BaseAugmentation;
  readonly executionProviders: readonly ExecutionProviderName[] | 'auto';
  /**
   * Start from an earlier base (same architecture) instead of a random init: continues pre-training with a new
   * learning-rate schedule. Its generator, discriminator and the token rows of concepts it knows are taken over.
   */
  readonly init?: string;
}

export const DEFAULT_BASE_SETTINGS: Omit<BaseTrainSettings, 'photos' | 'concepts'> = {
  evaluationPhotos: 2,
  heldOutConcepts: DEFAULT_HELD_OUT_CONCEPTS,
  preset: 'tiny',
  size: 64,
  steps: 2000,
  batch: 2,
  learningRate: 1e-3,
  discriminatorLrRatio: 0.5,
  warmupSteps: 50,
  decay: 'cosine',
  ganLoss: 'lsgan',
  l1Weight: 100,
  adversarialWeight: 1,
  seed: 1,
  checkpointEvery: 100,
  augment: DEFAULT_BASE_AUGMENTATION,
  executionProviders: ['cpu'],
};

/** Resolves --concepts / --hold-out into settings (ids checked against the teacher registry). */
export function baseSettings(
  given: Partial<Omit<BaseTrainSettings, 'concepts'>> & { photos: readonly string[]; concepts?: readonly string[] },
): BaseTrainSettings {
  const heldOut = given.heldOutConcepts ?? DEFAULT_BASE_SETTINGS.heldOutConcepts;
  const split = splitConcepts(given.concepts, heldOut);
  return {
    ...DEFAULT_BASE_SETTINGS,
    ...given,
    concepts: split.trained.map((t) => t.id),
    heldOutConcepts: split.heldOut.map((t) => t.id),
  };
}

export type BaseTrainEvent =
  | {
      type: 'started';
      step: number;
      totalSteps: number;
      executionProvider: ExecutionProviderName;
      concepts: number;
      trainPhotos: number;
      evaluationPhotos: number;
      generatorParameters: number;
    }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      concept: string;
      losses: Record<string, number>;
      learningRate: number;
      itPerSec: number;
      etaSeconds: number;
    }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'done'; step: number; output: string; seconds: number };

export interface BaseTrainOptions {
  readonly resume?: boolean;
  readonly onEvent?: (event: BaseTrainEvent) => void;
  readonly signal?: AbortSignal;
  /** Stop (after a checkpoint) once this many steps are done: simulates an interruption in tests. */
  readonly stopAfter?: number;
  readonly compute?: ComputeClient;
}

export interface BaseTrainResult {
  readonly step: number;
  readonly completed: boolean;
  readonly lossHistory: readonly LossRecord[];
  readonly seconds: number;
  /** base.safetensors, once completed. */
  readonly output?: string;
}

export class BaseSettingsError extends Error {
  override readonly name = 'BaseSettingsError';
}

export function validateBaseSettings(s: BaseTrainSettings): void {
  for (const field of ['size', 'steps', 'batch', 'checkpointEvery'] as const) {
    if (!Number.isInteger(s[field]) || s[field] < 1) throw new BaseSettingsError(`${field}: expected a positive integer, got ${s[field]}`);
  }
  if (!(s.learningRate > 0)) throw new BaseSettingsError(`learningRate: expected > 0, got ${s.learningRate}`);
  if (!Number.isInteger(s.evaluationPhotos) || s.evaluationPhotos < 0)
    throw new BaseSettingsError(`evaluationPhotos: expected an integer >= 0, got ${s.evaluationPhotos}`);
  if (s.photos.length === 0) throw new BaseSettingsError('photos: expected at least one photo folder or file');
  if (s.concepts.length === 0) throw new BaseSettingsError('concepts: expected at least one concept to pre-train');
  for (const id of [...s.concepts, ...s.heldOutConcepts]) getTeacher(id);
}

export { BASE_CONFIG_FILE, BASE_WEIGHTS_FILE };

/** base.json: the human/tool-readable side of a base (the weights file carries the same configs in metadata). */
export interface BaseConfigFile {
  readonly format: 'e2gan-base';
  readonly weights: string;
  readonly preset: WidthPreset;
  readonly generatorConfig: GeneratorConfig;
  readonly discriminatorConfig: DiscriminatorConfig;
  readonly concepts: readonly string[];
  readonly heldOutConcepts: readonly string[];
  /** Steps of this stage (the run that wrote the file); `totalSteps` counts the stages it continued too. */
  readonly steps: number;
  readonly size: number;
  readonly seconds: number;
  readonly settings: BaseTrainSettings;
  /** Every pre-training stage, oldest first, this one last (a stage continues the previous one via `init`). */
  readonly stages?: readonly BaseStage[];
  readonly totalSteps?: number;
  readonly totalSeconds?: number;
}

export interface BaseStage {
  readonly steps: number;
  readonly size: number;
  readonly seconds: number;
  readonly learningRate: number;
  readonly batch: number;
}

/** The base's training settings from its base.json (next to the weights), if present. */
export async function readBaseConfig(basePath: string): Promise<BaseConfigFile | undefined> {
  const file = join(dirname(basePath), BASE_CONFIG_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BaseConfigFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read base config (${(error as Error).message})`);
  }
}

/** "29500 steps in 5 stages at 128 px": how long a base trained, for reports. */
export function describeBaseTraining(config: BaseConfigFile): string {
  const stages = stagesOf(config);
  const steps = stages.reduce((n, s) => n + s.steps, 0);
  return `${steps} steps${stages.length > 1 ? ` in ${stages.length} stages` : ''} at ${config.size} px`;
}

/** The stages a base went through: its own list, or one stage for a base.json written before stages were recorded. */
export function stagesOf(config: BaseConfigFile): readonly BaseStage[] {
  return (
    config.stages ?? [
      { steps: config.steps, size: config.size, seconds: config.seconds, learningRate: config.settings.learningRate, batch: config.settings.batch },
    ]
  );
}

export interface BaseModels {
  readonly generatorConfig: GeneratorConfig;
  readonly discriminatorConfig: DiscriminatorConfig;
  readonly generator: Weights;
  readonly discriminator: Weights;
  /** [concepts, tokens, tokenDim], one row per settings.concepts entry. */
  readonly tokenTable: Float32Array;
}

export async function initBaseModels(settings: BaseTrainSettings): Promise<BaseModels> {
  const generatorConfig = generatorPreset(settings.preset, { height: settings.size, width: settings.size });
  const discriminatorConfig = discriminatorForSize(settings.preset, settings.size, settings.size);
  const [t, d] = conceptTokensShape(generatorConfig);
  const init = settings.init ? await loadBaseModel(settings.init) : undefined;
  if (init && !sameArchitecture(init.generatorConfig, generatorConfig)) {
    throw new BaseSettingsError(
      `init: ${settings.init} has another generator architecture than preset '${settings.preset}' (${JSON.stringify(init.generatorConfig)})`,
    );
  }
  const tokenTable = new Float32Array(settings.concepts.length * t * d);
  settings.concepts.forEach((id, i) => tokenTable.set(init?.conceptTokens?.get(id) ?? initConceptTokens(generatorConfig, settings.seed + 100 + i), i * t * d));
  const sameD =
    init?.discriminatorConfig &&
    init.discriminator &&
    JSON.stringify({ ...init.discriminatorConfig, height: 0, width: 0 }) === JSON.stringify({ ...discriminatorConfig, height: 0, width: 0 });
  return {
    generatorConfig,
    discriminatorConfig,
    tokenTable,
    generator: init?.generator ?? initGeneratorWeights(generatorConfig, settings.seed),
    discriminator: sameD ? init!.discriminator! : initDiscriminatorWeights(discriminatorConfig, settings.seed + 1),
  };
}

function wire(tensor: { data: Float32Array; dims: readonly number[] }): WireTensor {
  return { dtype: 'float32', dims: [...tensor.dims], data: tensor.data };
}

export async function trainBase(runPath: string, given: BaseTrainSettings | undefined, options: BaseTrainOptions = {}): Promise<BaseTrainResult> {
  const run = new RunDir(runPath);
  const settings = await runSettings(run, given, options.resume ?? false, {
    make: (message) => new BaseSettingsError(message),
    kind: 'base run',
    resumeHint: 'resume it with --resume',
  });
  validateBaseSettings(settings);
  const teachers = settings.concepts.map((id) => getTeacher(id));
  // Crops are drawn from photos at twice the training size, so a crop at scale 0.5 still has full detail.
  const photos = await loadPhotoSet(settings.photos, { maxSide: settings.size * 2, evaluationCount: settings.evaluationPhotos });
  const models = await initBaseModels(settings);
  if (!options.resume) await run.writeSettings(settings);
  const checkpoint = options.resume ? await run.loadLatestCheckpoint() : undefined;
  const startStep = checkpoint?.step ?? 0;

  const compiled = compileGanStep(baseStepConfigFor(settings, { ...models, concepts: teachers.length }), {
    generator: models.generator,
    discriminator: models.discriminator,
    tokens: models.tokenTable,
  });
  const initial = initialStepState(compiled.program, checkpoint, run.checkpointPath(startStep), {
    moments: new Set(compiled.momentInputs),
    fresh: (input) => (input === TOKEN_TABLE_NAME ? models.tokenTable : (models.generator.get(input) ?? models.discriminator.get(input))!),
  });

  // Separate streams: concept order, photo order and crops; all restored on resume.
  const rng = resumedRng(checkpoint, settings.seed + 4);
  const conceptSampler = new EpochSampler(teachers.length, rng);
  const photoSampler = new EpochSampler(photos.train.length, rng);
  const samplers = checkpoint?.extra?.samplers as { concept: { order: number[]; position: number }; photo: { order: number[]; position: number } } | undefined;
  if (samplers) {
    conceptSampler.restore(samplers.concept);
    photoSampler.restore(samplers.photo);
  }
  const outcome = await runTrainingLoop({
    checkpointStore: run,
    program: compiled.program,
    initial,
    executionProviders: settings.executionProviders,
    checkpoint,
    totalSteps: settings.steps,
    rng,
    signal: options.signal,
    stopAfter: options.stopAfter,
    compute: options.compute,
    planStep: (step) => {
      const conceptIndex = conceptSampler.next(1)[0]!;
      const teacher = teachers[conceptIndex]!;
      const batch = photoSampler.next(settings.batch).map((i) => makeExample(photos.train[i]!, teacher, rng, settings.size, settings.augment));
      const oneHot = new Float32Array(teachers.length);
      oneHot[conceptIndex] = 1;
      return {
        data: {
          input: wire(imagesToNchw(batch.map((p) => p.input))),
          target: wire(imagesToNchw(batch.map((p) => p.target))),
          [CONCEPT_INPUT]: { dtype: 'float32', dims: [teachers.length], data: oneHot },
        },
        learningRate: learningRateAt(
          { base: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: settings.steps, decay: settings.decay, minFactor: 0.05 },
          step,
        ),
        recorded: { concept: conceptIndex },
        detail: teacher.id,
      };
    },
    checkpoints: {
      every: settings.checkpointEvery,
      extra: (seconds) => ({ samplers: { concept: conceptSampler.state, photo: photoSampler.state }, seconds }),
    },
    onStarted: (executionProvider) =>
      options.onEvent?.({
        type: 'started',
        step: startStep,
        totalSteps: settings.steps,
        executionProvider,
        concepts: teachers.length,
        trainPhotos: photos.train.length,
        evaluationPhotos: photos.evaluation.length,
        generatorParameters: countParameters(generatorParameters(models.generatorConfig)),
      }),
    onStep: (report) =>
      options.onEvent?.({
        type: 'step',
        step: report.step,
        totalSteps: settings.steps,
        concept: report.detail,
        losses: report.losses,
        learningRate: report.learningRate,
        itPerSec: report.itPerSec,
        etaSeconds: report.etaSeconds,
      }),
    onCheckpoint: (step, path) => options.onEvent?.({ type: 'checkpoint', step, path }),
    finish: async (state) => {
      const output = await writeBase(runPath, settings, models, await state.readState(), state.elapsed());
      const seconds = state.elapsed();
      options.onEvent?.({ type: 'done', step: settings.steps, output, seconds });
      return { output, seconds };
    },
  });
  if (!outcome.completed) return { step: outcome.step, completed: false, lossHistory: outcome.lossHistory, seconds: outcome.seconds };
  return { step: outcome.step, completed: true, lossHistory: outcome.lossHistory, ...outcome.result };
}

/**
 * Writes base.safetensors + base.json from a run's newest checkpoint, for a run that was stopped early (the
 * files say how many steps it really had).
 */
export async function exportBaseFromCheckpoint(runPath: string): Promise<{ output: string; step: number }> {
  const run = new RunDir(runPath);
  const settings = (await run.readSettings()) as BaseTrainSettings | undefined;
  if (!settings) throw new BaseSettingsError(`${run.settingsPath}: not a base run (run.json missing)`);
  const checkpoint = await run.loadLatestCheckpoint();
  if (!checkpoint) throw new BaseSettingsError(`${run.checkpointsPath}: no checkpoint to export`);
  const state: Record<string, Float32Array> = {};
  for (const [name, tensor] of checkpoint.tensors) if (name.startsWith('state.')) state[name.slice('state.'.length)] = tensor.data;
  const output = await writeBase(
    runPath,
    { ...settings, steps: checkpoint.step },
    await initBaseModels(settings),
    state,
    Number(checkpoint.extra?.seconds ?? 0),
  );
  return { output, step: checkpoint.step };
}

/** Writes base.safetensors (fp16: half the size, and the precision phones run at) and base.json. */
async function writeBase(dir: string, settings: BaseTrainSettings, models: BaseModels, state: Record<string, Float32Array>, seconds: number): Promise<string> {
  const generator: Weights = new Map();
  for (const p of generatorParameters(models.generatorConfig)) generator.set(p.name, state[p.name]!);
  const discriminator: Weights = new Map();
  for (const name of models.discriminator.keys()) discriminator.set(name, state[name]!);
  const [t, d] = conceptTokensShape(models.generatorConfig);
  const table = state[TOKEN_TABLE_NAME]!;
  const conceptTokens = new Map(settings.concepts.map((id, i) => [id, table.slice(i * t * d, (i + 1) * t * d)]));
  const path = join(dir, BASE_WEIGHTS_FILE);
  await saveBaseModel(
    path,
    { generatorConfig: models.generatorConfig, generator, discriminatorConfig: models.discriminatorConfig, discriminator, conceptTokens },
    { fp16: true },
  );
  // A run that continues an earlier base (`init`) inherits its stages, so the file says how long the base really trained.
  const earlier = settings.init ? await readBaseConfig(settings.init) : undefined;
  const stages: BaseStage[] = [
    ...(earlier ? stagesOf(earlier) : []),
    { steps: settings.steps, size: settings.size, seconds: Math.round(seconds), learningRate: settings.learningRate, batch: settings.batch },
  ];
  const config: BaseConfigFile = {
    format: 'e2gan-base',
    weights: BASE_WEIGHTS_FILE,
    preset: settings.preset,
    generatorConfig: models.generatorConfig,
    discriminatorConfig: models.discriminatorConfig,
    concepts: settings.concepts,
    heldOutConcepts: settings.heldOutConcepts,
    steps: settings.steps,
    size: settings.size,
    seconds: Math.round(seconds),
    settings,
    stages,
    totalSteps: stages.reduce((n, s) => n + s.steps, 0),
    totalSeconds: stages.reduce((n, s) => n + s.seconds, 0),
  };
  await writeFileAtomic(join(dir, BASE_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
