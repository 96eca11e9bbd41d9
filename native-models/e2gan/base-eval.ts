import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ComputeClient, ExecutionProviderName } from '../runtime';
import { writeImage } from '../image/io';
import { psnr, ssim } from '../image/metrics';
import type { RgbImage } from '../image/image';
import { getTeacher, type ConceptTeacher } from '../teachers';
import { evaluationExample, loadPhotoSet, type Photo, type PhotoSet } from './base-data';
import { BASE_CONFIG_FILE, type BaseConfigFile } from './base-trainer';
import { WIDTH_PRESETS, type GeneratorConfig, type WidthPreset } from './config';
import { GeneratorRunner } from './inference';
import { loadRunGenerator } from './run-model';
import { DEFAULT_SETTINGS, trainRun, type TrainSettings } from './trainer';
import { DEFAULT_AUGMENTATION } from './augment';
import { loadBaseModel, type BaseModel } from './weights';

/** Quality of one concept on the evaluation photos, against the exact teacher target. */
export interface ConceptScore {
  readonly id: string;
  readonly psnr: number;
  readonly ssim: number;
  /** The do-nothing baseline (output = input): a model must beat this to have learned the effect at all. */
  readonly identityPsnr: number;
  readonly identitySsim: number;
  /** LoRA fine-tune steps (held-out concepts only). */
  readonly fineTuneSteps?: number;
}

export interface BaseEvalReport {
  readonly base: string;
  readonly size: number;
  readonly evaluationPhotos: readonly string[];
  readonly trained: readonly ConceptScore[];
  readonly heldOut: readonly ConceptScore[];
}

/** The base's training settings from its base.json (next to the weights), if present. */
export async function readBaseConfig(basePath: string): Promise<BaseConfigFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dirname(basePath), BASE_CONFIG_FILE), 'utf8')) as BaseConfigFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${join(dirname(basePath), BASE_CONFIG_FILE)}: cannot read base config (${(error as Error).message})`);
  }
}

/** The width preset whose generator matches the base's (the LoRA trainer needs it for the discriminator). */
export function presetOf(config: GeneratorConfig): WidthPreset {
  const widths: Record<WidthPreset, number> = { tiny: 8, small: 16, base: 32 };
  const found = WIDTH_PRESETS.find((p) => widths[p] === config.stemChannels);
  if (!found) throw new Error(`base generator has stem width ${config.stemChannels}, which matches no width preset`);
  return found;
}

/** Scores a generator (weights + tokens) on the evaluation photos against `teacher`, at size × size. */
export async function scoreConcept(
  config: GeneratorConfig, weights: ReadonlyMap<string, Float32Array>, tokens: Float32Array, teacher: ConceptTeacher,
  photos: readonly Photo[], size: number, options: { executionProviders?: readonly ExecutionProviderName[] | 'auto'; outputs?: RgbImage[] } = {},
): Promise<Omit<ConceptScore, 'fineTuneSteps'>> {
  const runner = await GeneratorRunner.open({ ...config, height: size, width: size }, weights, tokens, { executionProviders: options.executionProviders ?? ['cpu'] });
  try {
    let p = 0, s = 0, ip = 0, is = 0;
    for (const photo of photos) {
      const { input, target } = evaluationExample(photo, teacher, size);
      const output = await runner.run(input);
      options.outputs?.push(output);
      p += psnr(output, target);
      s += ssim(output, target);
      ip += psnr(input, target);
      is += ssim(input, target);
    }
    const n = photos.length;
    return { id: teacher.id, psnr: p / n, ssim: s / n, identityPsnr: ip / n, identitySsim: is / n };
  } finally {
    await runner.release();
  }
}

export interface FineTuneOptions {
  /** Base .safetensors for 'lora'; ignored for 'scratch' (seeded random init of the same preset). */
  readonly base?: string;
  readonly preset: WidthPreset;
  readonly mode: 'lora' | 'scratch';
  readonly teacher: ConceptTeacher;
  readonly photos: PhotoSet;
  readonly size: number;
  readonly steps: number;
  /** Score the evaluation photos every this many steps (and at 0 and the end). */
  readonly scoreEvery: number;
  readonly workDir: string;
  readonly learningRate?: number;
  readonly rank?: number;
  readonly seed?: number;
  readonly compute?: ComputeClient;
  readonly executionProviders?: readonly ExecutionProviderName[] | 'auto';
}

export interface FineTuneResult {
  /** Evaluation PSNR (dB) vs step, from step 0 to `steps`. */
  readonly curve: ReadonlyArray<{ step: number; psnr: number }>;
  readonly final: Omit<ConceptScore, 'fineTuneSteps'>;
  readonly seconds: number;
}

/**
 * Fine-tunes one concept with the regular E2GAN trainer (`trainRun`) on teacher pairs made from the training
 * photos; the evaluation photos are the run's held-out pairs (named to sort last), so the trainer's own
 * preview scores are the held-out PSNR curve.
 */
export async function fineTuneConcept(options: FineTuneOptions): Promise<FineTuneResult> {
  const pairsDir = join(options.workDir, 'pairs');
  const runDir = join(options.workDir, 'run');
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(pairsDir, { recursive: true });
  // Same pairs for every mode, at the scoring size; the trainer's aligned crop/flip augments the training ones.
  const write = async (prefix: string, photo: Photo): Promise<void> => {
    const { input, target } = evaluationExample(photo, options.teacher, options.size);
    await writeImage(join(pairsDir, `${prefix}-${photo.name}.input.png`), input);
    await writeImage(join(pairsDir, `${prefix}-${photo.name}.target.png`), target);
  };
  for (const photo of options.photos.train) await write('a-train', photo);
  // Evaluation pairs sort last, so they are the run's held-out pairs and its preview PSNR is the held-out curve.
  for (const photo of options.photos.evaluation) await write('z-eval', photo);
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    pairs: pairsDir,
    ...(options.mode === 'lora' && options.base ? { base: options.base } : {}),
    preset: options.preset, size: options.size, steps: options.steps, batch: 2, mode: options.mode,
    ranks: options.rank ?? 8,
    learningRate: options.learningRate ?? (options.mode === 'lora' ? 1e-2 : 1e-3),
    warmupSteps: Math.min(10, Math.floor(options.steps / 5)), seed: options.seed ?? 1,
    checkpointEvery: options.steps, previewEvery: options.scoreEvery, heldOut: options.photos.evaluation.length,
    augment: DEFAULT_AUGMENTATION,
    executionProviders: options.executionProviders ?? ['cpu'],
  };
  const curve: Array<{ step: number; psnr: number }> = [];
  const result = await trainRun(runDir, settings, {
    ...(options.compute ? { compute: options.compute } : {}),
    onEvent: (event) => {
      if (event.type === 'preview' || event.type === 'done') {
        if (curve.at(-1)?.step !== event.step) curve.push({ step: event.step, psnr: event.heldOutPsnr });
      }
    },
  });
  if (!result.completed) throw new Error(`${runDir}: fine-tune stopped at step ${result.step} of ${options.steps}`);
  const model = await loadRunGenerator(runDir);
  const final = await scoreConcept(model.config, model.weights, model.tokens, options.teacher, options.photos.evaluation, options.size, { executionProviders: settings.executionProviders });
  return { curve, final, seconds: result.seconds };
}

export interface EvaluateBaseOptions {
  /** Photos (default: those the base was trained with, per base.json); the evaluation split is never trained on. */
  readonly photos?: readonly string[];
  readonly evaluationPhotos?: number;
  readonly size?: number;
  /** LoRA steps per held-out concept (0 skips them). */
  readonly fineTuneSteps: number;
  readonly heldOutConcepts?: readonly string[];
  readonly workDir: string;
  readonly executionProviders?: readonly ExecutionProviderName[] | 'auto';
  readonly onConcept?: (kind: 'trained' | 'held-out', score: ConceptScore) => void;
}

export async function evaluateBase(basePath: string, options: EvaluateBaseOptions): Promise<BaseEvalReport> {
  const base: BaseModel = await loadBaseModel(basePath);
  const config = await readBaseConfig(basePath);
  const photoSources = options.photos ?? config?.settings.photos;
  if (!photoSources) throw new Error(`${basePath}: no ${BASE_CONFIG_FILE} next to it naming its photos; pass --photos`);
  const evaluationCount = options.evaluationPhotos ?? config?.settings.evaluationPhotos ?? 2;
  const size = options.size ?? config?.size ?? base.generatorConfig.height;
  const photos = await loadPhotoSet(photoSources, { maxSide: size * 4, evaluationCount });
  const ep = options.executionProviders ?? ['cpu'];
  const trained: ConceptScore[] = [];
  for (const [id, tokens] of base.conceptTokens ?? []) {
    const score = await scoreConcept(base.generatorConfig, base.generator, tokens, getTeacher(id), photos.evaluation, size, { executionProviders: ep });
    trained.push(score);
    options.onConcept?.('trained', score);
  }
  const heldOut: ConceptScore[] = [];
  const heldIds = options.heldOutConcepts ?? config?.heldOutConcepts ?? [];
  if (options.fineTuneSteps > 0) {
    for (const id of heldIds) {
      const result = await fineTuneConcept({
        base: basePath, preset: presetOf(base.generatorConfig), mode: 'lora', teacher: getTeacher(id), photos, size,
        steps: options.fineTuneSteps, scoreEvery: options.fineTuneSteps, workDir: join(options.workDir, id), executionProviders: ep,
      });
      const score = { ...result.final, fineTuneSteps: options.fineTuneSteps };
      heldOut.push(score);
      options.onConcept?.('held-out', score);
    }
  }
  return { base: basePath, size, evaluationPhotos: photos.evaluation.map((p) => p.name), trained, heldOut };
}

export function formatEvalReport(report: BaseEvalReport): string {
  const row = (kind: string, s: ConceptScore): string =>
    `| ${s.id} | ${kind} | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(3)} | ${s.identityPsnr.toFixed(2)} | ${s.identitySsim.toFixed(3)} |`;
  return [
    `base ${report.base}, ${report.size}x${report.size}, evaluation photos: ${report.evaluationPhotos.join(', ')}`,
    '',
    '| concept | kind | PSNR dB | SSIM | identity PSNR | identity SSIM |',
    '|---|---|---|---|---|---|',
    ...report.trained.map((s) => row('trained', s)),
    ...report.heldOut.map((s) => row(`held out, LoRA ${s.fineTuneSteps} steps`, s)),
    '',
    `mean trained PSNR ${mean(report.trained.map((s) => s.psnr)).toFixed(2)} dB (identity ${mean(report.trained.map((s) => s.identityPsnr)).toFixed(2)} dB)` +
      (report.heldOut.length > 0 ? `; mean held-out PSNR ${mean(report.heldOut.map((s) => s.psnr)).toFixed(2)} dB (identity ${mean(report.heldOut.map((s) => s.identityPsnr)).toFixed(2)} dB)` : ''),
  ].join('\n');
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
