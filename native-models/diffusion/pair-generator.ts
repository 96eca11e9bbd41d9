import { mkdir } from 'node:fs/promises';
import { readImage } from '../image/io';
import { resizeCover } from '../image/transform';
import type { RgbImage } from '../image/image';
import { stemOf, writePair } from '../teachers/teach-files';
import { resolveProviderChain, type ExecutionProviderName } from '../runtime/index';
import { loadDiffusionModel, type DiffusionModel } from './loader';
import { checkPairQuality, DEFAULT_PAIR_QUALITY_THRESHOLDS, type PairQualityThresholds } from './pair-quality';
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

/**
 * Photos + an edit prompt -> training pairs (NAME.input.png + NAME.target.png, the layout the trainer reads)
 * through a diffusion model. Photo i uses seed + i, so a pair is reproducible whatever the batch size. The
 * model's sessions are released when the run ends, failed or not.
 */
export async function generatePairs(options: PairGenerationOptions): Promise<PairGenerationSummary> {
  const started = performance.now();
  const size = options.size ?? 512;
  if (!Number.isInteger(size) || size < 64 || size % 64 !== 0) throw new Error(`size must be a multiple of 64 (>= 64), got ${size}`);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  if (options.imagePaths.length === 0) throw new Error('no images to generate pairs from');
  const names = options.imagePaths.map(stemOf);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two images share the name "${duplicate}"; pairs are named after the image file, rename one`);
  const guard = options.qualityGuard ?? true;
  const thresholds = typeof guard === 'object' ? guard : {};
  await mkdir(options.outDir, { recursive: true });

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
  const outcomes: PairOutcome[] = [];
  const stepSeconds: number[] = [];
  try {
    for (let start = 0; start < options.imagePaths.length; start += batchSize) {
      const paths = options.imagePaths.slice(start, start + batchSize);
      const loaded: { path: string; name: string; image: RgbImage }[] = [];
      for (const path of paths) {
        try {
          loaded.push({ path, name: stemOf(path), image: resizeCover(await readImage(path), size, size) });
        } catch (error) {
          outcomes.push({ path, name: stemOf(path), status: 'failed', reason: (error as Error).message });
        }
      }
      if (loaded.length === 0) continue;
      const request = {
        images: loaded.map((l) => l.image),
        prompt: options.prompt,
        seeds: loaded.map((l) => (options.seed ?? 0) + options.imagePaths.indexOf(l.path)),
        ...(options.negativePrompt !== undefined ? { negativePrompt: options.negativePrompt } : {}),
        ...(options.steps !== undefined ? { steps: options.steps } : {}),
        ...(options.guidanceScale !== undefined ? { guidanceScale: options.guidanceScale } : {}),
        ...(options.imageGuidanceScale !== undefined ? { imageGuidanceScale: options.imageGuidanceScale } : {}),
        ...(options.strength !== undefined ? { strength: options.strength } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p: GenerationProgress) => options.onProgress?.({ ...p, imageIndex: start, imageCount: options.imagePaths.length }),
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
      for (const [i, { path, name, image }] of loaded.entries()) {
        const target = result.images[i]!;
        if (guard !== false) {
          const verdict = checkPairQuality(image, target, { ...DEFAULT_PAIR_QUALITY_THRESHOLDS, ...thresholds });
          if (!verdict.ok) {
            outcomes.push({ path, name, status: 'rejected', reason: verdict.reason! });
            continue;
          }
        }
        const written = await writePair(options.outDir, name, image, target);
        outcomes.push({ path, name, status: 'written', ...written });
      }
    }
    return { outcomes, executionProvider: model.executionProviders.unet, stepSeconds, totalSeconds: (performance.now() - started) / 1000 };
  } finally {
    await model.release();
  }
}
