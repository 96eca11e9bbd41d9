import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComputeClient, ExecutionProviderName, WireTensor } from '../runtime';
import { imagesToNchw, type RgbImage } from '../image/image';
import { writeImage } from '../image/io';
import { resizeCover } from '../image/transform';
import { psnr } from '../image/metrics';
import { qualityBaselines, type QualityBaselines } from '../image/colour-baselines';
import { getTeacher, type ConceptTeacher } from '../teachers';
import type { Rng } from '../util/rng';
import { augmentPair, DEFAULT_AUGMENTATION, EpochSampler, type ImagePair, type PairAugmentation } from './augment';
import { saveConceptDelta, type ConceptDelta } from './concept';
import {
  countParameters,
  discriminatorForSize,
  validateDiscriminatorConfig,
  generatorParameters,
  generatorPreset,
  loraParameterCount,
  loraPlacement,
  type DiscriminatorConfig,
  type GeneratorConfig,
  type LoraPlacement,
  type RankSpec,
  type WidthPreset,
} from './config';
import { GeneratorRunner } from './inference';
import { initLoraWeights, loraNames, mergeLora } from './lora';
import { loadPairsDir, type PairProblem } from './pairs-dir';
import { RunDir, type LossRecord, type NamedTensor } from './run-dir';
import { initialStepState, MemoryCheckpoints, resumedRng, runSettings, runTrainingLoop, type CheckpointStore, type LoopState } from './training-loop';
import { emaDecayAt, learningRateAt } from './schedule';
import { compileGanStep, EMA_DECAY_INPUT, ganStepConfigFor, TOKENS_NAME, type GanLoss, type TrainMode } from './train-step';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights, loadBaseModel, saveBaseModel, type Weights } from './weights';

/** Everything that defines a run; stored in run.json so a resume continues exactly the same run. */
export interface TrainSettings {
  readonly pairs: string;
  /** Base model .safetensors; without one the generator starts from a seeded random init (say so in reports). */
  readonly base?: string;
  /** Width preset when there is no base. */
  readonly preset: WidthPreset;
  /** Training resolution (square, a multiple of the generator's total stride). */
  readonly size: number;
  readonly steps: number;
  readonly batch: number;
  readonly mode: TrainMode;
  readonly ranks: RankSpec;
  readonly alpha?: number;
  readonly learningRate: number;
  readonly discriminatorLrRatio: number;
  readonly warmupSteps: number;
  readonly decay: 'constant' | 'linear' | 'cosine';
  readonly ganLoss: GanLoss;
  readonly l1Weight: number;
  readonly adversarialWeight: number;
  /** Discriminator feature-matching weight (0 = off; runs from before this setting read as 0). */
  readonly featureMatchingWeight?: number;
  /** Weight of the L1-on-image-gradients term (0 or absent = off; see train-step.ts edgeLoss). */
  readonly edgeWeight?: number;
  readonly emaDecay: number;
  readonly seed: number;
  readonly checkpointEvery: number;
  readonly previewEvery: number;
  /** Pairs held out from training for previews and validation (taken from the end of the sorted list). */
  readonly heldOut: number;
  readonly augment: PairAugmentation;
  readonly executionProviders: readonly ExecutionProviderName[] | 'auto';
  /**
   * The built-in teacher that made the targets, when one did: each augmented crop is then taught afresh
   * (crop first, teacher second), so position-dependent effects such as vignettes stay exact instead of being
   * cropped and rescaled out of place. Absent for diffusion or imported pairs.
   */
  readonly teacher?: string;
}

/** A run's settings without its pairs folder: what the in-memory entry point fineTune takes. */
export type FineTuneSettings = Omit<TrainSettings, 'pairs'>;

export const DEFAULT_SETTINGS: FineTuneSettings = {
  preset: 'small',
  size: 256,
  steps: 500,
  batch: 1,
  mode: 'lora',
  ranks: 8,
  learningRate: 2e-3,
  discriminatorLrRatio: 0.1,
  warmupSteps: 20,
  decay: 'cosine',
  ganLoss: 'lsgan',
  l1Weight: 100,
  adversarialWeight: 1,
  edgeWeight: 100,
  emaDecay: 0.99,
  seed: 1,
  checkpointEvery: 100,
  previewEvery: 100,
  heldOut: 2,
  augment: DEFAULT_AUGMENTATION,
  executionProviders: ['cpu'],
};

export type TrainEvent =
  | {
      type: 'started';
      step: number;
      totalSteps: number;
      executionProvider: ExecutionProviderName;
      trainPairs: number;
      heldOutPairs: number;
      problems: readonly PairProblem[];
      trainableParameters: number;
      generatorParameters: number;
      randomBase: boolean;
      /** What the held-out (preview) pairs score without a model: the figures a model must beat. */
      baselines: QualityBaselines;
    }
  | { type: 'step'; step: number; totalSteps: number; losses: Record<string, number>; learningRate: number; itPerSec: number; etaSeconds: number }
  | { type: 'preview'; step: number; files: string[]; heldOutL1: number; heldOutPsnr: number; baselines: QualityBaselines }
  | { type: 'checkpoint'; step: number; path: string }
  | {
      type: 'done';
      step: number;
      output: string;
      seconds: number;
      heldOutL1: number;
      heldOutPsnr: number;
      baselines: QualityBaselines;
      /** The step whose weights were kept: the best held-out score among the previews and the final step. */
      keptStep: number;
    };

export interface TrainOptions {
  /** Continue from the newest checkpoint of an existing run (settings come from its run.json). */
  readonly resume?: boolean;
  readonly onEvent?: (event: TrainEvent) => void;
  readonly signal?: AbortSignal;
  /** Stop (after checkpointing) once this many steps are done: simulates an interruption in tests. */
  readonly stopAfter?: number;
  /** Share a compute worker between runs (rank search); one is started (and stopped) otherwise. */
  readonly compute?: ComputeClient;
  /** Write preview images at step 0 and every previewEvery steps (default true; the final score is always computed). */
  readonly previews?: boolean;
}

export interface TrainResult {
  readonly step: number;
  readonly completed: boolean;
  readonly lossHistory: readonly LossRecord[];
  readonly heldOutL1: number;
  readonly heldOutPsnr: number;
  readonly baselines: QualityBaselines;
  /** Which step's weights the output holds (see the 'done' event). */
  readonly keptStep?: number;
  /** concept.safetensors (lora) or generator.safetensors (full / scratch), once completed. */
  readonly output?: string;
  readonly seconds: number;
}

/** A training pair in memory; its name labels its previews. */
export interface NamedPair extends ImagePair {
  readonly name: string;
}

export interface PreviewImage {
  readonly name: string;
  readonly image: RgbImage;
}

/** fineTune's events: TrainEvent's, with preview images in memory and no output file. */
export type FineTuneEvent =
  | Exclude<TrainEvent, { type: 'preview' } | { type: 'done' }>
  | { type: 'preview'; step: number; images: readonly PreviewImage[]; heldOutL1: number; heldOutPsnr: number; baselines: QualityBaselines }
  | Omit<Extract<TrainEvent, { type: 'done' }>, 'output'>;

export interface FineTuneRequest {
  /** Training pairs; each is resized (cover + centre crop) to settings.size unless it already has that size. */
  readonly pairs: readonly NamedPair[];
  readonly settings: FineTuneSettings;
  /** Where checkpoints go (a RunDir, MemoryCheckpoints, the caller's store); in memory when absent. */
  readonly checkpoints?: CheckpointStore;
  /** Continue from the store's newest checkpoint (the settings must be the run's). */
  readonly resume?: boolean;
  /** Pairs the caller could not use, reported in the 'started' event. */
  readonly problems?: readonly PairProblem[];
  /** Awaited before the run goes on (a preview handler may store its images first). */
  readonly onEvent?: (event: FineTuneEvent) => void | Promise<void>;
  readonly signal?: AbortSignal;
  readonly stopAfter?: number;
  readonly compute?: ComputeClient;
  /** Preview images at step 0 and every previewEvery steps (default true; the final score is always computed). */
  readonly previews?: boolean;
}

/** The trained generator of a completed run: a LoRA concept delta, or a whole generator (full / scratch). */
export type TrainedGenerator =
  | { readonly kind: 'concept'; readonly delta: ConceptDelta }
  | { readonly kind: 'generator'; readonly generatorConfig: GeneratorConfig; readonly generator: Weights; readonly tokens: Float32Array };

export interface FineTuneResult extends Omit<TrainResult, 'output'> {
  /** Once completed. */
  readonly model?: TrainedGenerator;
}

export class TrainSettingsError extends Error {
  override readonly name = 'TrainSettingsError';
}

/** The networks a run trains, derived from its settings (and base file). */
export interface RunModels {
  readonly generatorConfig: GeneratorConfig;
  readonly discriminatorConfig: DiscriminatorConfig;
  readonly generator: Weights;
  readonly discriminator: Weights;
  readonly tokens: Float32Array;
  readonly placement: readonly LoraPlacement[];
  readonly randomBase: boolean;
}

export async function resolveRunModels(settings: FineTuneSettings): Promise<RunModels> {
  const base = settings.mode !== 'scratch' && settings.base ? await loadBaseModel(settings.base) : undefined;
  const generatorConfig = generatorPreset(settings.preset, { ...(base?.generatorConfig ?? {}), height: settings.size, width: settings.size });
  const generator = base?.generator ?? initGeneratorWeights(generatorConfig, settings.seed);
  // A base's trained discriminator is kept (its widths, not settings.preset's, which describes only fresh runs);
  // a PatchGAN is fully convolutional, so only the image size changes.
  const baseD = base?.discriminatorConfig && base.discriminator ? discriminatorAtSize(base.discriminatorConfig, settings.size) : undefined;
  const discriminatorConfig = baseD ?? discriminatorForSize(settings.preset, settings.size, settings.size);
  const discriminator = baseD ? base!.discriminator! : initDiscriminatorWeights(discriminatorConfig, settings.seed + 1);
  const placement = settings.mode === 'lora' ? loraPlacement(generatorConfig, settings.ranks, settings.alpha) : [];
  const tokens =
    base?.conceptTokens && base.conceptTokens.size > 0 ? meanConceptTokens(base.conceptTokens) : initConceptTokens(generatorConfig, settings.seed + 2);
  return { generatorConfig, discriminatorConfig, generator, discriminator, tokens, placement, randomBase: base === undefined };
}

function discriminatorAtSize(config: DiscriminatorConfig, size: number): DiscriminatorConfig | undefined {
  const resized = { ...config, height: size, width: size };
  try {
    validateDiscriminatorConfig(resized);
    return resized;
  } catch {
    return undefined; // too small for this base's PatchGAN depth: a fresh, shallower one is built instead
  }
}

/**
 * A new concept's tokens on a pre-trained base start at the mean of the base's concept tokens: a point inside
 * what the base's FiLM and cross-attention were trained on, so the first step starts from an average learned
 * effect instead of from the random modulation of tokens it never saw.
 */
export function meanConceptTokens(tokens: ReadonlyMap<string, Float32Array>): Float32Array {
  const all = [...tokens.values()];
  const mean = new Float32Array(all[0]!.length);
  for (const row of all) for (let i = 0; i < mean.length; i++) mean[i]! += row[i]! / all.length;
  return mean;
}

export function validateSettings(settings: FineTuneSettings): void {
  const positive = ['size', 'steps', 'batch', 'checkpointEvery', 'previewEvery'] as const;
  for (const field of positive) {
    if (!Number.isInteger(settings[field]) || settings[field] < 1)
      throw new TrainSettingsError(`${field}: expected a positive integer, got ${settings[field]}`);
  }
  if (!(settings.learningRate > 0)) throw new TrainSettingsError(`learningRate: expected > 0, got ${settings.learningRate}`);
  if (!(settings.emaDecay >= 0 && settings.emaDecay < 1)) throw new TrainSettingsError(`emaDecay: expected in [0, 1), got ${settings.emaDecay}`);
  if (!Number.isInteger(settings.heldOut) || settings.heldOut < 0) throw new TrainSettingsError(`heldOut: expected an integer >= 0, got ${settings.heldOut}`);
  if (!['lora', 'full', 'scratch'].includes(settings.mode)) throw new TrainSettingsError(`mode: expected lora, full or scratch, got '${settings.mode}'`);
  for (const field of ['featureMatchingWeight', 'edgeWeight'] as const) {
    const value = settings[field];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new TrainSettingsError(`${field}: expected a number >= 0, got ${value}`);
  }
  if (settings.teacher !== undefined) {
    try {
      getTeacher(settings.teacher);
    } catch (error) {
      throw new TrainSettingsError(`teacher: ${(error as Error).message}`);
    }
  }
}

/** One training example: the same crop/flip of both images, or of the input then taught afresh. */
export function trainingExample(pair: ImagePair, rng: Rng, settings: FineTuneSettings, teacher: ConceptTeacher | undefined): ImagePair {
  const augmented = augmentPair(pair, rng, settings.size, settings.augment);
  return teacher ? { input: augmented.input, target: teacher.apply(augmented.input) } : augmented;
}

function wire(tensor: { data: Float32Array; dims: readonly number[] }): WireTensor {
  return { dtype: 'float32', dims: [...tensor.dims], data: tensor.data };
}

/** Generator weights + tokens for evaluation/export from the EMA copy of the trainable tensors. */
function exportWeights(models: RunModels, mode: TrainMode, ema: ReadonlyMap<string, Float32Array>): { weights: Weights; tokens: Float32Array } {
  const tokens = ema.get(TOKENS_NAME)!;
  if (mode === 'lora') {
    const lora: Weights = new Map();
    for (const p of models.placement) for (const name of Object.values(loraNames(p.layer))) lora.set(name, ema.get(name)!);
    return { weights: mergeLora(models.generatorConfig, models.generator, models.placement, lora), tokens };
  }
  const weights: Weights = new Map(models.generator);
  for (const [name, data] of ema) if (name.startsWith('generator.')) weights.set(name, data);
  return { weights, tokens };
}

export interface HeldOutScore {
  readonly l1: number;
  readonly psnr: number;
  readonly outputs: RgbImage[];
}

export async function scoreHeldOut(
  config: GeneratorConfig,
  weights: ReadonlyMap<string, Float32Array>,
  tokens: Float32Array,
  pairs: readonly ImagePair[],
  executionProviders: FineTuneSettings['executionProviders'] = ['cpu'],
): Promise<HeldOutScore> {
  if (pairs.length === 0) return { l1: NaN, psnr: NaN, outputs: [] };
  const runner = await GeneratorRunner.open(config, weights, tokens, { executionProviders });
  try {
    let l1 = 0;
    let psnrSum = 0;
    const outputs: RgbImage[] = [];
    for (const pair of pairs) {
      const out = await runner.run(pair.input);
      outputs.push(out);
      let sum = 0;
      for (let i = 0; i < out.data.length; i++) sum += Math.abs(out.data[i]! - pair.target.data[i]!);
      // In the model's [-1, 1] units, like the training L1.
      l1 += (2 * sum) / out.data.length;
      psnrSum += psnr(out, pair.target);
    }
    return { l1: l1 / pairs.length, psnr: psnrSum / pairs.length, outputs };
  } finally {
    await runner.release();
  }
}

/**
 * Fine-tunes a concept from pairs in memory: the engine's entry point. Events and the result carry images and
 * weights, never files; checkpoints go to `checkpoints`. trainRun is the folder adapter the CLI uses.
 */
export async function fineTune(request: FineTuneRequest): Promise<FineTuneResult> {
  return runFineTune(await prepareFineTune(request));
}

/** A fine-tune whose settings, pairs and models have been checked and loaded, ready to train. */
export interface PreparedFineTune {
  readonly request: FineTuneRequest;
  /** At settings.size. */
  readonly pairs: readonly NamedPair[];
  readonly models: RunModels;
}

/** fineTune's first half: every input error (settings, pairs, base model) surfaces here, before anything is stored. */
export async function prepareFineTune(request: FineTuneRequest): Promise<PreparedFineTune> {
  validateSettings(request.settings);
  if (request.pairs.length === 0) throw new TrainSettingsError(`pairs: no usable pairs (${request.problems?.length ?? 0} problems)`);
  const pairs = request.pairs.map((pair) => pairAtSize(pair, request.settings.size));
  return { request, pairs, models: await resolveRunModels(request.settings) };
}

/** fineTune's second half: compiles the step and trains. */
export async function runFineTune(prepared: PreparedFineTune): Promise<FineTuneResult> {
  const { request, pairs, models } = prepared;
  const { settings } = request;
  const heldOutCount = Math.min(settings.heldOut, Math.max(0, pairs.length - 1));
  const trainPairs = pairs.slice(0, pairs.length - heldOutCount);
  const heldOutPairs = pairs.slice(pairs.length - heldOutCount);
  // With nothing held out, previews show training inputs (better than none; the event says which).
  const previewPairs = heldOutPairs.length > 0 ? heldOutPairs : trainPairs.slice(0, 2);
  const baselines = qualityBaselines(trainPairs, previewPairs);
  const teacher = settings.teacher !== undefined ? getTeacher(settings.teacher) : undefined;
  const checkpointStore = request.checkpoints ?? new MemoryCheckpoints();
  const checkpoint = request.resume ? await checkpointStore.loadLatestCheckpoint() : undefined;
  const startStep = checkpoint?.step ?? 0;

  const initialLora = settings.mode === 'lora' ? initLoraWeights(models.generatorConfig, models.placement, settings.seed + 3) : new Map<string, Float32Array>();
  const generatorSource: Weights = new Map([...models.generator, ...initialLora]);
  const compiled = compileGanStep(ganStepConfigFor(settings, models), {
    generator: generatorSource,
    discriminator: models.discriminator,
    tokens: models.tokens,
  });
  // The EMA is step state updated in the graph; checkpoints keep it under `ema.<name>` as before.
  const emaStates = new Set(compiled.emaInputs.values());
  const initial = initialStepState(compiled.program, checkpoint, checkpointStore.checkpointPath(startStep), {
    moments: new Set(compiled.momentInputs),
    fresh: (input) => (input === TOKENS_NAME ? models.tokens : (generatorSource.get(input) ?? models.discriminator.get(input))!),
    skip: emaStates,
  });
  const ema = new Map<string, Float32Array>();
  for (const name of compiled.generatorTrainables) ema.set(name, (checkpoint?.tensors.get(`ema.${name}`)?.data ?? initial[name]!).slice());
  for (const [name, input] of compiled.emaInputs) initial[input] = ema.get(name)!;
  const syncEma = (state: Record<string, Float32Array>): void => {
    for (const [name, input] of compiled.emaInputs) ema.set(name, state[input]!);
  };

  const rng = resumedRng(checkpoint, settings.seed + 4);
  const sampler = new EpochSampler(trainPairs.length, rng);
  const samplerState = checkpoint?.extra?.sampler as { order: number[]; position: number } | undefined;
  if (samplerState) sampler.restore(samplerState);
  // The best-scoring EMA weights seen at a preview (only with real held-out pairs: never selected on training data).
  const selectBest = heldOutPairs.length > 0;
  const savedBest = checkpoint?.extra?.best as { step: number; psnr: number } | undefined;
  let best: { step: number; psnr: number; weights: Map<string, Float32Array> } | undefined = savedBest
    ? { ...savedBest, weights: new Map([...ema.keys()].map((name) => [name, checkpoint!.tensors.get(`best.${name}`)!.data.slice()])) }
    : undefined;
  const writesPreviews = request.previews ?? true;

  const preview = async (state: LoopState, step: number, write = writesPreviews): Promise<HeldOutScore> => {
    syncEma(await state.readState([...emaStates]));
    const { weights, tokens } = exportWeights(models, settings.mode, ema);
    const score = await scoreHeldOut(models.generatorConfig, weights, tokens, previewPairs, settings.executionProviders);
    if (selectBest && Number.isFinite(score.psnr) && (!best || score.psnr > best.psnr)) {
      best = { step, psnr: score.psnr, weights: new Map([...ema].map(([name, data]) => [name, data.slice()])) };
    }
    if (!write) return score;
    const images = score.outputs.map((image, i) => ({ name: previewPairs[i]!.name, image }));
    await request.onEvent?.({ type: 'preview', step, images, heldOutL1: score.l1, heldOutPsnr: score.psnr, baselines });
    return score;
  };

  const outcome = await runTrainingLoop({
    checkpointStore,
    program: compiled.program,
    initial,
    executionProviders: settings.executionProviders,
    checkpoint,
    totalSteps: settings.steps,
    rng,
    signal: request.signal,
    stopAfter: request.stopAfter,
    compute: request.compute,
    planStep: (step) => {
      const batch = sampler.next(settings.batch).map((i) => trainingExample(trainPairs[i]!, rng, settings, teacher));
      return {
        data: {
          input: wire(imagesToNchw(batch.map((p) => p.input))),
          target: wire(imagesToNchw(batch.map((p) => p.target))),
          [EMA_DECAY_INPUT]: { dtype: 'float32', dims: [], data: new Float32Array([emaDecayAt(settings.emaDecay, step + 1)]) },
        },
        learningRate: learningRateAt(
          { base: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: settings.steps, decay: settings.decay },
          step,
        ),
        detail: undefined,
      };
    },
    checkpoints: {
      every: settings.checkpointEvery,
      unsavedState: emaStates,
      tensors: (state) => {
        syncEma(state);
        const tensors: [string, NamedTensor][] = [...ema].map(([name, data]) => [`ema.${name}`, { shape: [data.length], data }]);
        if (best) for (const [name, data] of best.weights) tensors.push([`best.${name}`, { shape: [data.length], data }]);
        return tensors;
      },
      extra: (seconds) => ({ sampler: sampler.state, seconds, ...(best ? { best: { step: best.step, psnr: best.psnr } } : {}) }),
    },
    onStarted: async (executionProvider, state) => {
      await request.onEvent?.({
        type: 'started',
        step: startStep,
        totalSteps: settings.steps,
        executionProvider,
        trainPairs: trainPairs.length,
        heldOutPairs: heldOutPairs.length,
        problems: request.problems ?? [],
        randomBase: models.randomBase,
        baselines,
        trainableParameters:
          settings.mode === 'lora'
            ? loraParameterCount(models.generatorConfig, models.placement) + models.tokens.length
            : countParameters(generatorParameters(models.generatorConfig)) + models.tokens.length,
        generatorParameters: countParameters(generatorParameters(models.generatorConfig)),
      });
      if (startStep === 0 && writesPreviews) await preview(state, 0);
    },
    onStep: async (report) =>
      request.onEvent?.({
        type: 'step',
        step: report.step,
        totalSteps: settings.steps,
        losses: report.losses,
        learningRate: report.learningRate,
        itPerSec: report.itPerSec,
        etaSeconds: report.etaSeconds,
      }),
    onCheckpoint: async (step, path) => request.onEvent?.({ type: 'checkpoint', step, path }),
    afterStep: async (step, state) => {
      if (step % settings.previewEvery === 0 && step !== settings.steps && writesPreviews) await preview(state, step);
    },
    finish: async (state) => {
      const step = settings.steps;
      let final = await preview(state, step);
      let kept: ReadonlyMap<string, Float32Array> = ema;
      let keptStep = step;
      if (best && best.step !== step && best.psnr > final.psnr) {
        // An earlier preview scored better on the held-out pairs than the last step (over-fitting, or a GAN swing).
        kept = best.weights;
        keptStep = best.step;
        const { weights, tokens } = exportWeights(models, settings.mode, kept);
        final = await scoreHeldOut(models.generatorConfig, weights, tokens, previewPairs, settings.executionProviders);
      }
      const model = trainedGenerator(settings, models, kept);
      const seconds = state.elapsed();
      await request.onEvent?.({ type: 'done', step, seconds, heldOutL1: final.l1, heldOutPsnr: final.psnr, baselines, keptStep });
      return { heldOutL1: final.l1, heldOutPsnr: final.psnr, keptStep, model, seconds };
    },
  });
  if (!outcome.completed) {
    return { step: outcome.step, completed: false, lossHistory: outcome.lossHistory, heldOutL1: NaN, heldOutPsnr: NaN, baselines, seconds: outcome.seconds };
  }
  return { step: outcome.step, completed: true, lossHistory: outcome.lossHistory, baselines, ...outcome.result };
}

/**
 * The folder adapter of fineTune (the CLI's and the e2gan tools' entry point): settings in RUN/run.json, pairs
 * from the settings' pairs folder, checkpoints in RUN/checkpoints, previews as PNGs in RUN/previews, and the
 * trained generator as RUN/concept.safetensors (lora) or RUN/generator.safetensors.
 */
export async function trainRun(runPath: string, given: TrainSettings | undefined, options: TrainOptions = {}): Promise<TrainResult> {
  const run = new RunDir(runPath);
  const settings = await runSettings(run, given, options.resume ?? false, {
    make: (message) => new TrainSettingsError(message),
    kind: 'run',
    resumeHint: 'resume it',
  });
  validateSettings(settings);
  const loaded = await loadPairsDir(settings.pairs, { size: settings.size });
  if (loaded.pairs.length === 0) throw new TrainSettingsError(`${settings.pairs}: no usable pairs (${loaded.problems.length} problems)`);
  const prepared = await prepareFineTune({
    pairs: loaded.pairs,
    settings,
    checkpoints: run,
    resume: options.resume,
    problems: loaded.problems,
    signal: options.signal,
    stopAfter: options.stopAfter,
    compute: options.compute,
    previews: options.previews,
    onEvent: async (event) => {
      if (event.type === 'preview') {
        const dir = join(run.previewsPath, `step-${String(event.step).padStart(8, '0')}`);
        await mkdir(dir, { recursive: true });
        const files: string[] = [];
        for (const preview of event.images) {
          const file = join(dir, `${preview.name}.png`);
          await writeImage(file, preview.image);
          files.push(file);
        }
        options.onEvent?.({ type: 'preview', step: event.step, files, heldOutL1: event.heldOutL1, heldOutPsnr: event.heldOutPsnr, baselines: event.baselines });
      } else if (event.type !== 'done') {
        options.onEvent?.(event);
      }
    },
  });
  // run.json once pairs and models have loaded: a run that cannot load leaves no folder to resume.
  if (!options.resume) await run.writeSettings(settings);
  const result = await runFineTune(prepared);
  const { model, ...rest } = result;
  if (!model) return rest;
  const output = await writeTrainedGenerator(run.path, model);
  options.onEvent?.({
    type: 'done',
    step: result.step,
    output,
    seconds: result.seconds,
    heldOutL1: result.heldOutL1,
    heldOutPsnr: result.heldOutPsnr,
    baselines: result.baselines,
    keptStep: result.keptStep!,
  });
  return { ...rest, output };
}

function pairAtSize(pair: NamedPair, size: number): NamedPair {
  const { input, target } = pair;
  if (input.width !== target.width || input.height !== target.height) {
    throw new TrainSettingsError(`pairs: '${pair.name}' target is ${target.width}x${target.height} but its input is ${input.width}x${input.height}`);
  }
  if (input.width === size && input.height === size) return pair;
  return { name: pair.name, input: resizeCover(input, size, size), target: resizeCover(target, size, size) };
}

function trainedGenerator(settings: FineTuneSettings, models: RunModels, ema: ReadonlyMap<string, Float32Array>): TrainedGenerator {
  if (settings.mode === 'lora') {
    const info = { steps: String(settings.steps), mode: settings.mode, base: settings.base ?? `random-init(seed=${settings.seed})` };
    const lora: Weights = new Map();
    for (const p of models.placement) for (const name of Object.values(loraNames(p.layer))) lora.set(name, ema.get(name)!);
    return { kind: 'concept', delta: { generatorConfig: models.generatorConfig, placement: models.placement, lora, tokens: ema.get(TOKENS_NAME)!, info } };
  }
  const { weights, tokens } = exportWeights(models, settings.mode, ema);
  return { kind: 'generator', generatorConfig: models.generatorConfig, generator: weights, tokens };
}

/**
 * Writes a completed run's generator into `runPath` as the folder format names it (concept.safetensors for a
 * LoRA delta, generator.safetensors otherwise): what loadRunConcept / loadTrainedConcept read back.
 */
export async function writeTrainedGenerator(runPath: string, model: TrainedGenerator): Promise<string> {
  await mkdir(runPath, { recursive: true });
  if (model.kind === 'concept') {
    const path = join(runPath, 'concept.safetensors');
    await saveConceptDelta(path, model.delta);
    return path;
  }
  const path = join(runPath, 'generator.safetensors');
  await saveBaseModel(path, { generatorConfig: model.generatorConfig, generator: model.generator, conceptTokens: new Map([['concept', model.tokens]]) });
  return path;
}
