import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComputeClient, ExecutionProviderName } from '../runtime';
import { writeImage } from '../image/io';
import { psnr, ssim } from '../image/metrics';
import { applyAffineColour, fitAffineColour } from '../image/colour-baselines';
import type { RgbImage } from '../image/image';
import { getTeacher, type ConceptTeacher } from '../teachers';
import { evaluationExample, loadPhotoSet, loadPhotoSplit, type Photo, type PhotoSet } from './base-data';
import { BASE_CONFIG_FILE, readBaseConfig } from './base-trainer';

export { readBaseConfig };
import { WIDTH_PRESETS, type GeneratorConfig, type RankSpec, type WidthPreset } from './config';
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
  /** A least-squares RGB affine colour map fitted on the training photos' pairs: the cheapest honest "model". */
  readonly affinePsnr: number;
  readonly affineSsim: number;
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

/** The width preset whose generator matches the base's (the LoRA trainer needs it for the discriminator). */
export function presetOf(config: GeneratorConfig): WidthPreset {
  const widths: Record<WidthPreset, number> = { tiny: 8, small: 16, base: 32 };
  const found = WIDTH_PRESETS.find((p) => widths[p] === config.stemChannels);
  if (!found) throw new Error(`base generator has stem width ${config.stemChannels}, which matches no width preset`);
  return found;
}

/** How many training photos the affine baseline is fitted on (12 parameters: a few photos are plenty). */
const AFFINE_FIT_PHOTOS = 16;

/**
 * Scores a generator (weights + tokens) on the evaluation photos against `teacher`, at size × size, next to
 * both baselines; the affine map is fitted on `fitPhotos` (training photos, never the evaluation ones).
 */
export async function scoreConcept(
  config: GeneratorConfig,
  weights: ReadonlyMap<string, Float32Array>,
  tokens: Float32Array,
  teacher: ConceptTeacher,
  photos: readonly Photo[],
  size: number,
  options: { fitPhotos: readonly Photo[]; executionProviders?: readonly ExecutionProviderName[] | 'auto'; outputs?: RgbImage[] },
): Promise<Omit<ConceptScore, 'fineTuneSteps'>> {
  const affine = fitAffineColour(spread(options.fitPhotos, AFFINE_FIT_PHOTOS).map((photo) => evaluationExample(photo, teacher, size)));
  const runner = await GeneratorRunner.open({ ...config, height: size, width: size }, weights, tokens, {
    executionProviders: options.executionProviders ?? ['cpu'],
  });
  try {
    let p = 0,
      s = 0,
      ip = 0,
      is = 0,
      ap = 0,
      as = 0;
    for (const photo of photos) {
      const { input, target } = evaluationExample(photo, teacher, size);
      const output = await runner.run(input);
      options.outputs?.push(output);
      const fitted = applyAffineColour(input, affine);
      p += psnr(output, target);
      s += ssim(output, target);
      ip += psnr(input, target);
      is += ssim(input, target);
      ap += psnr(fitted, target);
      as += ssim(fitted, target);
    }
    const n = photos.length;
    return { id: teacher.id, psnr: p / n, ssim: s / n, identityPsnr: ip / n, identitySsim: is / n, affinePsnr: ap / n, affineSsim: as / n };
  } finally {
    await runner.release();
  }
}

/** Up to `count` items spread evenly over the list (photos are sorted by name, so this mixes sources). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

export interface FineTuneOptions {
  /** Base .safetensors for 'lora' and 'full'; ignored for 'scratch' (seeded random init of the same preset). */
  readonly base?: string;
  readonly preset: WidthPreset;
  /** 'lora': adapters on the base (the studio's mode); 'full': every weight of the base trained; 'scratch': every weight from a random init. */
  readonly mode: 'lora' | 'full' | 'scratch';
  readonly teacher: ConceptTeacher;
  readonly photos: PhotoSet;
  readonly size: number;
  readonly steps: number;
  /** Score the evaluation photos every this many steps (and at 0 and the end). */
  readonly scoreEvery: number;
  readonly workDir: string;
  readonly learningRate?: number;
  /** One rank for every LoRA-eligible layer, or per-layer ranks (a layer left out stays frozen). */
  readonly rank?: RankSpec;
  readonly seed?: number;
  readonly compute?: ComputeClient;
  readonly executionProviders?: readonly ExecutionProviderName[] | 'auto';
  /** Training photos to make pairs from (spread over the list; default all), before 2 are set aside for validation. */
  readonly trainPhotos?: number;
  readonly batch?: number;
  /** Weight of the L1-on-image-gradients loss term (default: the trainer's, off). */
  readonly edgeWeight?: number;
  /** Receives the model's outputs on the evaluation photos (for before/teacher/student strips). */
  readonly outputs?: RgbImage[];
}

export interface FineTuneResult {
  /** Validation PSNR (dB) vs step, from step 0 to `steps`: what the trainer selects its kept weights on. */
  readonly curve: ReadonlyArray<{ step: number; psnr: number }>;
  /** On the evaluation photos, which the run never saw (neither trained on nor selected on). */
  readonly final: Omit<ConceptScore, 'fineTuneSteps'>;
  readonly seconds: number;
  /** Training pairs used (after the validation pairs were set aside). */
  readonly trainPairs: number;
}

/** Validation pairs set aside from the training photos: the trainer's held-out pairs (previews, kept weights). */
const VALIDATION_PHOTOS = 2;

/**
 * Fine-tunes one concept with the regular E2GAN trainer (`trainRun`) on teacher pairs made from the training
 * photos (taught after cropping, as the studio does for built-in teachers). Two training photos become the run's
 * held-out validation pairs; the evaluation photos are scored only at the end, so nothing is selected on them.
 */
export async function fineTuneConcept(options: FineTuneOptions): Promise<FineTuneResult> {
  const pairsDir = join(options.workDir, 'pairs');
  const runDir = join(options.workDir, 'run');
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(pairsDir, { recursive: true });
  const chosen = spread(options.photos.train, (options.trainPhotos ?? options.photos.train.length) + VALIDATION_PHOTOS);
  if (chosen.length < VALIDATION_PHOTOS + 1) throw new Error(`fine-tune: need at least ${VALIDATION_PHOTOS + 1} training photos, got ${chosen.length}`);
  const validation = chosen.filter((_, i) => i % Math.floor(chosen.length / VALIDATION_PHOTOS) === 0).slice(0, VALIDATION_PHOTOS);
  const training = chosen.filter((photo) => !validation.includes(photo));
  // Pairs at the training size; the trainer crops and re-teaches every crop.
  const write = async (prefix: string, photo: Photo, side: number): Promise<void> => {
    const { input, target } = evaluationExample(photo, options.teacher, side);
    await writeImage(join(pairsDir, `${prefix}-${photo.name}.input.png`), input);
    await writeImage(join(pairsDir, `${prefix}-${photo.name}.target.png`), target);
  };
  for (const photo of training) await write('a-train', photo, options.size);
  // Validation pairs sort last, so they are the run's held-out pairs.
  for (const photo of validation) await write('z-validation', photo, options.size);
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    pairs: pairsDir,
    ...(options.mode !== 'scratch' && options.base ? { base: options.base } : {}),
    preset: options.preset,
    size: options.size,
    steps: options.steps,
    batch: options.batch ?? 2,
    mode: options.mode,
    ranks: options.rank ?? 8,
    learningRate: options.learningRate ?? (options.mode === 'lora' ? 1e-2 : 1e-3),
    warmupSteps: Math.min(10, Math.floor(options.steps / 5)),
    seed: options.seed ?? 1,
    checkpointEvery: options.steps,
    previewEvery: options.scoreEvery,
    heldOut: validation.length,
    augment: DEFAULT_AUGMENTATION,
    teacher: options.teacher.id,
    executionProviders: options.executionProviders ?? ['cpu'],
    // An explicit 0 turns the edge term off; absent keeps the trainer's default.
    ...(options.edgeWeight !== undefined ? { edgeWeight: options.edgeWeight } : {}),
  };
  const curve: Array<{ step: number; psnr: number }> = [];
  const result = await trainRun(runDir, settings, {
    ...(options.compute ? { compute: options.compute } : {}),
    onEvent: (event) => {
      if (event.type === 'preview') curve.push({ step: event.step, psnr: event.heldOutPsnr });
    },
  });
  if (!result.completed) throw new Error(`${runDir}: fine-tune stopped at step ${result.step} of ${options.steps}`);
  const model = await loadRunGenerator(runDir);
  const final = await scoreConcept(model.config, model.weights, model.tokens, options.teacher, options.photos.evaluation, options.size, {
    fitPhotos: training,
    executionProviders: settings.executionProviders,
    ...(options.outputs ? { outputs: options.outputs } : {}),
  });
  return { curve, final, seconds: result.seconds, trainPairs: training.length };
}

export interface EvaluateBaseOptions {
  /** Training photo folders: the affine baseline and held-out fine-tunes use them (default: base.json's). */
  readonly photos?: readonly string[];
  /**
   * Evaluation photo folders, never trained on. Without them the last `evaluationPhotos` (base.json's count)
   * of `photos` sorted by path are the evaluation split, as in base pre-training.
   */
  readonly evaluationSources?: readonly string[];
  readonly evaluationPhotos?: number;
  readonly size?: number;
  /** LoRA steps per held-out concept (0 skips them). */
  readonly fineTuneSteps: number;
  readonly fineTune?: Pick<FineTuneOptions, 'learningRate' | 'rank' | 'batch' | 'trainPhotos'>;
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
  const size = options.size ?? config?.size ?? base.generatorConfig.height;
  const photos = options.evaluationSources
    ? await loadPhotoSplit(photoSources, options.evaluationSources, { maxSide: size * 4 })
    : await loadPhotoSet(photoSources, { maxSide: size * 4, evaluationCount: options.evaluationPhotos ?? config?.settings.evaluationPhotos ?? 2 });
  if (photos.evaluation.length === 0)
    throw new Error('base eval: no evaluation photos; build the photo corpus with `npm run corpus` (its eval/ folder is used by default) or pass --eval DIRS');
  const ep = options.executionProviders ?? ['cpu'];
  const trained: ConceptScore[] = [];
  for (const [id, tokens] of base.conceptTokens ?? []) {
    const score = await scoreConcept(base.generatorConfig, base.generator, tokens, getTeacher(id), photos.evaluation, size, {
      fitPhotos: photos.train,
      executionProviders: ep,
    });
    trained.push(score);
    options.onConcept?.('trained', score);
  }
  const heldOut: ConceptScore[] = [];
  const heldIds = options.heldOutConcepts ?? config?.heldOutConcepts ?? [];
  if (options.fineTuneSteps > 0) {
    for (const id of heldIds) {
      const result = await fineTuneConcept({
        base: basePath,
        preset: presetOf(base.generatorConfig),
        mode: 'lora',
        teacher: getTeacher(id),
        photos,
        size,
        steps: options.fineTuneSteps,
        scoreEvery: options.fineTuneSteps,
        workDir: join(options.workDir, id),
        executionProviders: ep,
        ...options.fineTune,
      });
      const score = { ...result.final, fineTuneSteps: options.fineTuneSteps };
      heldOut.push(score);
      options.onConcept?.('held-out', score);
    }
  }
  return { base: basePath, size, evaluationPhotos: photos.evaluation.map((p) => p.name), trained, heldOut };
}

/** Model PSNR minus the better of the two baselines: > 0 means the model is worth more than a colour curve. */
export function marginOverBaselines(score: Omit<ConceptScore, 'fineTuneSteps'>): number {
  return score.psnr - Math.max(score.identityPsnr, score.affinePsnr);
}

export function formatEvalReport(report: BaseEvalReport): string {
  const row = (kind: string, s: ConceptScore): string => {
    const margin = marginOverBaselines(s);
    return `| ${s.id} | ${kind} | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(3)} | ${s.identityPsnr.toFixed(2)} | ${s.affinePsnr.toFixed(2)} | ${s.affineSsim.toFixed(3)} | ${margin >= 0 ? '+' : ''}${margin.toFixed(2)}${margin > 0 ? '' : ' (loses)'} |`;
  };
  const all = [...report.trained, ...report.heldOut];
  const losing = all.filter((s) => marginOverBaselines(s) <= 0).map((s) => s.id);
  return [
    `base ${report.base}, ${report.size}x${report.size}, evaluation photos: ${report.evaluationPhotos.join(', ')}`,
    '',
    '| concept | kind | PSNR dB | SSIM | input-as-output PSNR | colour-fit PSNR | colour-fit SSIM | margin over the better baseline dB |',
    '|---|---|---|---|---|---|---|---|',
    ...report.trained.map((s) => row('trained', s)),
    ...report.heldOut.map((s) => row(`held out, LoRA ${s.fineTuneSteps} steps`, s)),
    '',
    `mean trained PSNR ${mean(report.trained.map((s) => s.psnr)).toFixed(2)} dB (input as output ${mean(report.trained.map((s) => s.identityPsnr)).toFixed(2)}, colour fit ${mean(report.trained.map((s) => s.affinePsnr)).toFixed(2)}; mean margin ${mean(report.trained.map(marginOverBaselines)).toFixed(2)} dB)` +
      (report.heldOut.length > 0
        ? `; held out after LoRA: mean PSNR ${mean(report.heldOut.map((s) => s.psnr)).toFixed(2)} dB (mean margin ${mean(report.heldOut.map(marginOverBaselines)).toFixed(2)} dB)`
        : ''),
    losing.length === 0 ? 'every concept beats both baselines' : `LOSES to a baseline: ${losing.join(', ')}`,
  ].join('\n');
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
