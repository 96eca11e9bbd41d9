import { mkdir } from 'node:fs/promises';
import { readImage } from '../image/io';
import { resizeCover } from '../image/transform';
import type { RgbImage } from '../image/image';
import { stemOf, writePair } from '../teachers/teach-files';
import { resolveProviderChain, type ExecutionProviderName } from '../runtime/index';
import { loadDiffusionModel, type DiffusionModel } from './loader';
import { checkPairQuality, DEFAULT_PAIR_QUALITY_THRESHOLDS, type PairQualityThresholds, type PairQualityVerdict } from './pair-quality';
import { generate, type GenerationProgress, type GenerationResult } from './pipeline/generate';
import type { SchedulerKind } from './schedulers/config';

export interface PairGenerationOptions {
  modelDir: string;
  prompt: string;
  negativePrompt?: string;
  imagePaths: readonly string[];
  outDir: string;
  /** Square training size; photos are scaled to cover it and center-cropped. Multiple of 64 (default 512). */
  size?: number;
  steps?: number;
  seed?: number;
  guidanceScale?: number;
  imageGuidanceScale?: number;
  strength?: number;
  batchSize?: number;
  executionProviders?: readonly ExecutionProviderName[] | 'auto';
  /** Another sampler over the model's noise schedule (default: the model's scheduler_config.json). */
  schedulerKind?: SchedulerKind;
  /** false disables the guard; an object overrides thresholds. Default: on with default thresholds. */
  qualityGuard?: boolean | Partial<PairQualityThresholds>;
  signal?: AbortSignal;
  onModelLoaded?: (model: DiffusionModel) => void;
  onProgress?: (progress: PairProgress) => void;
  /** Called when running on an accelerator failed and the job continues on the next providers of the chain. */
  onFallback?: (fallback: ProviderFallback) => void;
}

export interface ProviderFallback {
  from: ExecutionProviderName[];
  to: ExecutionProviderName[];
  reason: string;
}

export interface PairProgress extends GenerationProgress {
  /** Index of the first image of the running batch, and the total number of images. */
  imageIndex: number;
  imageCount: number;
}

export type PairOutcome =
  | { path: string; name: string; status: 'written'; input: string; target: string }
  | { path: string; name: string; status: 'rejected'; reason: string }
  | { path: string; name: string; status: 'failed'; reason: string };

export interface PairGenerationSummary {
  outcomes: PairOutcome[];
  executionProvider: ExecutionProviderName;
  stepSeconds: number[];
  totalSeconds: number;
}

/** A photo to make a pair from, decoded on demand (a file, a blob in the caller's store). */
export interface PairPhoto {
  readonly name: string;
  load(): Promise<RgbImage>;
}

export interface PairImagesOptions extends Omit<PairGenerationOptions, 'imagePaths' | 'outDir' | 'qualityGuard'> {
  readonly photos: readonly PairPhoto[];
  /** Overrides of the pair-quality guard's thresholds; every pair is judged and the verdict handed over. */
  readonly qualityThresholds?: Partial<PairQualityThresholds>;
  /** Each photo's outcome, in order, as soon as its batch is done; awaited (the caller stores the pair first). */
  onPair(outcome: PairImageOutcome): void | Promise<void>;
}

/** `index` is the photo's position in `photos` (its seed is seed + index). */
export type PairImageOutcome =
  | { index: number; name: string; status: 'made'; input: RgbImage; target: RgbImage; verdict: PairQualityVerdict }
  | { index: number; name: string; status: 'failed'; reason: string };

export interface PairImagesSummary {
  /** How many photos got an outcome (the rest were not reached: cancelled). */
  done: number;
  executionProvider: ExecutionProviderName;
  stepSeconds: number[];
  totalSeconds: number;
}

/**
 * Photos + an edit prompt -> training pairs in memory, through a diffusion model: the engine's entry point (the
 * studio's pair job stores each pair as it comes). Each photo is scaled to cover `size` and centre-cropped; photo
 * i uses seed + i, so a pair is reproducible whatever the batch size. Every pair comes with the pair-quality
 * guard's verdict; what to do with a rejected one is the caller's choice. The model's sessions are released when
 * the run ends, failed or not.
 */
export async function generatePairImages(options: PairImagesOptions): Promise<PairImagesSummary> {
  const started = performance.now();
  const size = options.size ?? 512;
  if (!Number.isInteger(size) || size < 64 || size % 64 !== 0) throw new Error(`size must be a multiple of 64 (>= 64), got ${size}`);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  if (options.photos.length === 0) throw new Error('no images to generate pairs from');
  const thresholds = { ...DEFAULT_PAIR_QUALITY_THRESHOLDS, ...(options.qualityThresholds ?? {}) };

  let chain = resolveProviderChain(options.executionProviders ?? ['cpu']);
  const load = async (): Promise<DiffusionModel> => {
    const loaded = await loadDiffusionModel(options.modelDir, {
      executionProviders: chain,
      ...(options.schedulerKind ? { schedulerKind: options.schedulerKind } : {}),
    });
    options.onModelLoaded?.(loaded);
    return loaded;
  };
  let model = await load();
  let done = 0;
  const stepSeconds: number[] = [];
  try {
    for (let start = 0; start < options.photos.length; start += batchSize) {
      const batch = options.photos.slice(start, start + batchSize).map((photo, offset) => ({ photo, index: start + offset }));
      const loaded: { index: number; name: string; image: RgbImage }[] = [];
      for (const { photo, index } of batch) {
        try {
          loaded.push({ index, name: photo.name, image: resizeCover(await photo.load(), size, size) });
        } catch (error) {
          done += 1;
          await options.onPair({ index, name: photo.name, status: 'failed', reason: (error as Error).message });
        }
      }
      if (loaded.length === 0) continue;
      const request = {
        images: loaded.map((l) => l.image),
        prompt: options.prompt,
        seeds: loaded.map((l) => (options.seed ?? 0) + l.index),
        ...(options.negativePrompt !== undefined ? { negativePrompt: options.negativePrompt } : {}),
        ...(options.steps !== undefined ? { steps: options.steps } : {}),
        ...(options.guidanceScale !== undefined ? { guidanceScale: options.guidanceScale } : {}),
        ...(options.imageGuidanceScale !== undefined ? { imageGuidanceScale: options.imageGuidanceScale } : {}),
        ...(options.strength !== undefined ? { strength: options.strength } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p: GenerationProgress) => options.onProgress?.({ ...p, imageIndex: start, imageCount: options.photos.length }),
      };
      let result: GenerationResult;
      for (;;) {
        try {
          result = await generate(model, request);
          break;
        } catch (error) {
          // An accelerator can open a model and still fail to run it (e.g. a WebGPU adapter without
          // shader-f16 and an fp16 export): drop the providers in use and retry the batch further down the chain.
          const used = new Set<ExecutionProviderName>(Object.values(model.executionProviders).filter((ep) => ep !== 'cpu'));
          const remaining = chain.filter((ep) => !used.has(ep));
          if ((error as Error).name === 'AbortError' || used.size === 0 || remaining.length === 0) throw error;
          options.onFallback?.({ from: [...used], to: remaining, reason: (error as Error).message.split('\n')[0]! });
          await model.release();
          chain = remaining;
          model = await load();
        }
      }
      stepSeconds.push(...result.stepSeconds);
      for (const [i, { index, name, image }] of loaded.entries()) {
        const target = result.images[i]!;
        done += 1;
        await options.onPair({ index, name, status: 'made', input: image, target, verdict: checkPairQuality(image, target, thresholds) });
      }
    }
    return { done, executionProvider: model.executionProviders.unet, stepSeconds, totalSeconds: (performance.now() - started) / 1000 };
  } finally {
    await model.release();
  }
}

/**
 * The folder adapter of generatePairImages (the CLI's entry point): photos read from `imagePaths`, pairs written
 * as NAME.input.png + NAME.target.png into `outDir` (the layout the trainer reads), pairs the guard rejects
 * skipped unless `qualityGuard` is false.
 */
export async function generatePairs(options: PairGenerationOptions): Promise<PairGenerationSummary> {
  const { imagePaths, outDir, qualityGuard, ...rest } = options;
  if (imagePaths.length === 0) throw new Error('no images to generate pairs from');
  const names = imagePaths.map(stemOf);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two images share the name "${duplicate}"; pairs are named after the image file, rename one`);
  const guard = qualityGuard ?? true;
  await mkdir(outDir, { recursive: true });
  const outcomes: PairOutcome[] = [];
  const summary = await generatePairImages({
    ...rest,
    photos: imagePaths.map((path) => ({ name: stemOf(path), load: () => readImage(path) })),
    ...(typeof guard === 'object' ? { qualityThresholds: guard } : {}),
    onPair: async (outcome) => {
      const path = imagePaths[outcome.index]!;
      if (outcome.status === 'failed') {
        outcomes.push({ path, name: outcome.name, status: 'failed', reason: outcome.reason });
      } else if (guard !== false && !outcome.verdict.ok) {
        outcomes.push({ path, name: outcome.name, status: 'rejected', reason: outcome.verdict.reason! });
      } else {
        outcomes.push({ path, name: outcome.name, status: 'written', ...(await writePair(outDir, outcome.name, outcome.input, outcome.target)) });
      }
    },
  });
  const { done: _done, ...timing } = summary;
  return { outcomes, ...timing };
}
