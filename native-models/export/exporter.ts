import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { GraphBuilder } from '../graph';
import { createTensor, openSession, toFloat32Array, type RuntimeSession } from '../runtime';
import { imageFromBytes, imagesToNchw, type RgbImage } from '../image/image';
import { encodeImage } from '../image/io';
import { resizeCover } from '../image/transform';
import { writeFileAtomic } from '../io/atomic-file';
import {
  conceptTokensShape,
  countParameters,
  totalStride,
  generatorMacs,
  generatorParameters,
  loraParameterCount,
  type GeneratorConfig,
  type LoraPlacement,
} from '../e2gan/config';
import { buildGenerator } from '../e2gan/generator';
import { buildInferenceGraph } from '../e2gan/inference';
import { mergeLora } from '../e2gan/lora';
import { saveConceptDelta } from '../e2gan/concept';
import { DEFAULT_OPSET } from '../onnx';
import { buildPhoneGraph, phoneIoSpec, PHONE_INPUT, PHONE_OUTPUT } from './phone-graph';
import { convertToFloat16, operatorTypes, quantizeWeightsInt8 } from './precision';
import { EFFECT_SIZE_BUDGET_BYTES, mobileSupport, reducedBuildConfig } from './mobile-support';
import { bundleReadme } from './bundle-readme';
import type { BundleFile, BundleManifest, Precision, VariantReport } from './manifest';

/**
 * The exported fp32 graph must reproduce the training graph's forward within this fraction of the output's
 * scale, max(1, max |training output|) over the previews. The two graphs compute the same function in a different
 * float32 order (conv(x, W0) + s·conv(conv(x, A), B) against conv(x, W0 + s·B·A)), so they differ by rounding,
 * and rounding grows with the size of the weights and activations: measured correct merges differ by 3e-7 to 1e-4
 * of the scale (the most on flat-colour previews, whose near-constant channels instance norm amplifies; a fixed
 * 1e-4 refused a 4-step lr 1e-2 run of an earlier generator at 1.29e-4). Real merge bugs (scale off by 2x, B·A
 * transposed or dropped, other concept tokens) moved the output by 1e-2 to 1 of the scale in every run measured.
 * For outputs inside [-1, 1], 1e-3 is an eighth of one 8-bit level (2/255): the phone shows the same pixels.
 */
export const FIDELITY_RELATIVE_TOLERANCE = 1e-3;
/** What phones get unless the artist picks another size. */
export const DEFAULT_EXPORT_SIZE = 256;

export interface ExportRequest {
  config: GeneratorConfig;
  /** Base generator weights (frozen during LoRA training). */
  base: ReadonlyMap<string, Float32Array>;
  placement: readonly LoraPlacement[];
  lora: ReadonlyMap<string, Float32Array>;
  tokens: Float32Array;
  concept: { id: string; name: string; prompt: string };
  baseModel: { id: string; sha256: string };
  studioVersion: string;
  /**
   * Side of the square image the phone model takes (default 256): the generator is fully convolutional, so it
   * need not be the training size. A multiple of the generator's total stride.
   */
  size?: number;
  /** Held-out quality measured at `size` (see runQualityAtSize), recorded in the manifest. */
  quality?: BundleManifest['quality'];
  /** Photos for the before/after previews and the precision checks; resized (cover) to the model size. */
  previewImages: readonly RgbImage[];
  /** fp32 is always built (the others are checked against it). Default: all three. */
  precisions?: readonly Precision[];
  outZip: string;
  /** Timed runs per variant for the CPU latency (median). Default 5. */
  latencyRuns?: number;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface ExportResult {
  zipPath: string;
  manifest: BundleManifest;
  warnings: string[];
}

/** How closely the exported graph reproduced the training graph on the preview images (manifest `fidelity`). */
export interface FidelityReport {
  /** max |training-form output − exported-form output| over the previews, in the generator's output units. */
  maxAbsDiff: number;
  /** max |training-form output| over the previews: the scale float32 rounding grows with. */
  outputScale: number;
  /** The bound maxAbsDiff was checked against: FIDELITY_RELATIVE_TOLERANCE × max(1, outputScale). */
  tolerance: number;
}

export class ExportFidelityError extends Error {
  override readonly name = 'ExportFidelityError';
  constructor(readonly report: FidelityReport) {
    super(
      `export: merged graph differs from the training graph by ${report.maxAbsDiff.toExponential(2)}, over the bound ` +
        `${report.tolerance.toExponential(2)} (${FIDELITY_RELATIVE_TOLERANCE} × max(1, output scale ${report.outputScale.toPrecision(3)}); ` +
        'float32 rounding of a correct merge stays far below it): the exported weights or concept tokens are not what was trained',
    );
  }
}

/** A concept as training ran it: base weights, separate LoRA factors, concept tokens. */
export interface TrainingForm {
  base: ReadonlyMap<string, Float32Array>;
  placement: readonly LoraPlacement[];
  lora: ReadonlyMap<string, Float32Array>;
  tokens: Float32Array;
}

/** What goes into the bundle: the weights with LoRA merged in, and the concept tokens baked in as constants. */
export interface ExportedForm {
  weights: ReadonlyMap<string, Float32Array>;
  tokens: Float32Array;
}

/**
 * Exports a trained concept as a mobile bundle (docs/bundle-format.md): merges the LoRA into the base, checks the
 * merged graph against the training graph's forward, writes fp32/fp16/int8 ONNX and ORT-format models with
 * in-graph pre/post-processing, measures each on this CPU, and zips everything with a manifest of checksums.
 */
export async function exportBundle(request: ExportRequest): Promise<ExportResult> {
  const progress = request.onProgress ?? (() => {});
  const precisions = (['fp32', ...(request.precisions ?? ['fp16', 'int8'])] as Precision[]).filter((p, i, all) => all.indexOf(p) === i);
  if (request.previewImages.length === 0) throw new Error('export: at least one preview image is needed (it also drives the fidelity and precision checks)');
  const size = request.size ?? DEFAULT_EXPORT_SIZE;
  const stride = totalStride(request.config);
  if (!Number.isInteger(size) || size < stride || size % stride !== 0) {
    throw new Error(`export: size ${size} must be a positive multiple of ${stride} (the generator's total stride)`);
  }
  const config: GeneratorConfig = { ...request.config, height: size, width: size };
  const [tokenCount, tokenDim] = conceptTokensShape(config);
  if (request.tokens.length !== tokenCount * tokenDim)
    throw new Error(`export: concept tokens have ${request.tokens.length} values, expected [${tokenCount}, ${tokenDim}]`);
  const previews = request.previewImages.map((image) => resizeCover(image, config.width, config.height));
  const warnings: string[] = [];

  progress('merging LoRA', 0.05);
  // One exported form for the check and the models, so the check sees exactly the weights and tokens shipped.
  const exported: ExportedForm = { weights: mergeLora(config, request.base, request.placement, request.lora), tokens: request.tokens };
  progress('checking the merged graph against the training graph', 0.1);
  const fidelity = await checkExportFidelity(config, request, exported, previews);

  const work = await mkdtemp(join(tmpdir(), 'e2gan-export-'));
  try {
    const files = new Map<string, Uint8Array>();
    const fp32 = buildPhoneGraph(config, exported.weights, exported.tokens);
    const models: Record<Precision, () => Uint8Array> = { fp32: () => fp32, fp16: () => convertToFloat16(fp32), int8: () => quantizeWeightsInt8(fp32) };
    const names: Record<Precision, string> = { fp32: 'model', fp16: 'model.fp16', int8: 'model.int8' };
    const pixels = previews.map(toRgba);
    const variants: VariantReport[] = [];
    let reference: Uint8Array[] = [];
    for (const [i, precision] of precisions.entries()) {
      progress(`building and measuring ${precision}`, 0.2 + (0.6 * i) / precisions.length);
      const bytes = models[precision]();
      const ortPath = join(work, `${names[precision]}.ort`);
      const measured = await measureVariant(bytes, pixels, config, ortPath, request.latencyRuns ?? 5);
      if (precision === 'fp32') reference = measured.outputs;
      const ortBytes = new Uint8Array(await readFile(ortPath));
      files.set(`${names[precision]}.onnx`, bytes);
      files.set(`${names[precision]}.ort`, ortBytes);
      const psnrVsFp32 = precision === 'fp32' ? null : meanPsnr(measured.outputs, reference);
      if (precision === 'fp16' && psnrVsFp32 !== null && psnrVsFp32 < 40)
        warnings.push(`fp16 variant is only ${psnrVsFp32.toFixed(1)} dB from fp32 (40 dB expected)`);
      variants.push({
        precision,
        file: `${names[precision]}.onnx`,
        ortFile: `${names[precision]}.ort`,
        bytes: bytes.byteLength,
        ortBytes: ortBytes.byteLength,
        psnrVsFp32,
        cpuLatencyMs: measured.latencyMs,
      });
      if (precision === 'fp32') {
        for (const [k, image] of previews.entries()) {
          files.set(`preview/before-${k + 1}.jpg`, await encodeImage(image, 'jpeg', { quality: 88 }));
          files.set(`preview/after-${k + 1}.jpg`, await encodeImage(fromRgba(measured.outputs[k]!, config), 'jpeg', { quality: 88 }));
        }
      }
    }

    progress('writing the LoRA delta', 0.85);
    const deltaPath = join(work, 'concept.lora.safetensors');
    await saveConceptDelta(deltaPath, {
      generatorConfig: config,
      placement: request.placement,
      lora: new Map(request.lora),
      tokens: request.tokens,
      info: {
        concept_id: request.concept.id,
        concept_name: request.concept.name,
        prompt: request.concept.prompt,
        base_model_id: request.baseModel.id,
        base_model_sha256: request.baseModel.sha256,
      },
    });
    files.set('concept.lora.safetensors', new Uint8Array(await readFile(deltaPath)));

    const operators = [...new Set(precisions.flatMap((p) => operatorTypes(files.get(`${names[p]}.onnx`)!)))].sort();
    files.set('required_operators.config', new TextEncoder().encode(reducedBuildConfig(operators, DEFAULT_OPSET)));
    const support = mobileSupport(operators);
    for (const report of support) {
      if (report.unsupported.length > 0) warnings.push(`${report.label} runs ${report.unsupported.join(', ')} on the phone's CPU (not natively)`);
    }
    const smallest = Math.min(...variants.map((v) => v.ortBytes));
    if (smallest > EFFECT_SIZE_BUDGET_BYTES)
      warnings.push(`the smallest model is ${(smallest / 1048576).toFixed(1)} MB, over the common ${EFFECT_SIZE_BUDGET_BYTES / 1048576} MB effect budget`);

    const manifest: BundleManifest = {
      format: 'e2gan-bundle',
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      concept: request.concept,
      studioVersion: request.studioVersion,
      baseModel: request.baseModel,
      ...phoneIoSpec(config),
      opset: DEFAULT_OPSET,
      operators,
      mobileSupport: support,
      parameters: countParameters(generatorParameters(config)),
      loraParameters: loraParameterCount(config, request.placement),
      macs: generatorMacs(config),
      fidelity: {
        maxAbsDiffVsTrainingGraph: fidelity.maxAbsDiff,
        tolerance: fidelity.tolerance,
        outputScale: fidelity.outputScale,
        relativeTolerance: FIDELITY_RELATIVE_TOLERANCE,
      },
      sizeBudget: { bytes: EFFECT_SIZE_BUDGET_BYTES, smallestVariantBytes: smallest, fits: smallest <= EFFECT_SIZE_BUDGET_BYTES },
      ...(request.quality ? { quality: request.quality } : {}),
      variants,
      files: [],
    };
    // README first so its checksum lands in the manifest too; the manifest lists every other file.
    files.set('README.md', new TextEncoder().encode(bundleReadme(manifest)));
    manifest.files = [...files].map(([path, data]) => fileEntry(path, data)).sort((a, b) => a.path.localeCompare(b.path));
    files.set('manifest.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));

    progress('writing the bundle', 0.95);
    const zip = zipSync(Object.fromEntries([...files].map(([path, data]) => [path, [data, { level: path.endsWith('.jpg') ? 0 : 6 }]])), {
      mtime: new Date(manifest.createdAt),
    });
    await writeFileAtomic(request.outZip, zip);
    progress('done', 1);
    return { zipPath: request.outZip, manifest, warnings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function fileEntry(path: string, data: Uint8Array): BundleFile {
  return { path, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * Runs the training form (separate LoRA branches, as buildGenerator trains it) and the exported form (merged
 * weights, as buildInferenceGraph exports it) on the preview images, which must be config-sized, and compares the
 * outputs. Throws ExportFidelityError when they differ by more than FIDELITY_RELATIVE_TOLERANCE of the output scale
 * (see there); returns the measurement otherwise.
 */
export async function checkExportFidelity(
  config: GeneratorConfig,
  training: TrainingForm,
  exported: ExportedForm,
  previews: readonly RgbImage[],
): Promise<FidelityReport> {
  const g = new GraphBuilder('e2gan_training_forward');
  const x = g.input('input', 'float32', [1, config.inChannels, config.height, config.width]);
  const tokens = g.initializer('concept.tokens', training.tokens, conceptTokensShape(config));
  const weights = new Map([...training.base, ...training.lora]);
  g.output(buildGenerator(g, config, x, tokens, { weights, lora: training.placement }), 'output');
  const trainingSession = await openSession(g.build(), { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const exportedSession = await openSession(buildInferenceGraph(config, exported.weights, exported.tokens), {
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  });
  let maxAbsDiff = 0;
  let outputScale = 0;
  try {
    for (const image of previews) {
      const input = imagesToNchw([image]);
      const feeds = { input: createTensor('float32', input.data, [...input.dims]) };
      const a = toFloat32Array((await trainingSession.run(feeds)).output!);
      const b = toFloat32Array((await exportedSession.run(feeds)).output!);
      // Math.max carries a NaN through, so a NaN output fails the check below.
      for (let i = 0; i < a.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]! - b[i]!));
        outputScale = Math.max(outputScale, Math.abs(a[i]!));
      }
    }
  } finally {
    await trainingSession.release();
    await exportedSession.release();
  }
  const report: FidelityReport = { maxAbsDiff, outputScale, tolerance: FIDELITY_RELATIVE_TOLERANCE * Math.max(1, outputScale) };
  if (!(report.maxAbsDiff <= report.tolerance)) throw new ExportFidelityError(report);
  return report;
}

async function measureVariant(
  model: Uint8Array,
  pixels: readonly Uint8Array[],
  config: GeneratorConfig,
  ortPath: string,
  runs: number,
): Promise<{ outputs: Uint8Array[]; latencyMs: number }> {
  // Saving at 'basic' keeps the ORT-format file portable ('all' bakes in kernels specific to this CPU).
  const saver = await openSession(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'basic',
    optimizedModelFilePath: ortPath,
    logSeverityLevel: 3,
  });
  await saver.release();
  const session: RuntimeSession = await openSession(model, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const shape = [1, config.height, config.width, 4];
    const run = async (data: Uint8Array): Promise<Uint8Array> => {
      const out = await session.run({ [PHONE_INPUT]: createTensor('uint8', data, shape) });
      return new Uint8Array(out[PHONE_OUTPUT]!.data as Uint8Array);
    };
    const outputs: Uint8Array[] = [];
    for (const data of pixels) outputs.push(await run(data));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await run(pixels[i % pixels.length]!);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { outputs, latencyMs: times[Math.floor(times.length / 2)]! };
  } finally {
    await session.release();
  }
}

export function toRgba(image: RgbImage): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(Math.min(1, Math.max(0, image.data[p * 3 + c]!)) * 255);
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

export function fromRgba(rgba: Uint8Array, size: { width: number; height: number }): RgbImage {
  return imageFromBytes(size.width, size.height, 4, rgba);
}

/** PSNR in dB between two RGBA buffers, alpha ignored; Infinity when identical. */
export function rgbaPsnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = a[i]! - b[i]!;
    se += d * d;
    n++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

function meanPsnr(outputs: readonly Uint8Array[], reference: readonly Uint8Array[]): number {
  const values = outputs.map((o, i) => Math.min(99, rgbaPsnr(o, reference[i]!)));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Checks every file of an unpacked bundle against the manifest's sizes and sha256 sums. */
export async function verifyBundleDir(dir: string): Promise<{ ok: boolean; problems: string[] }> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  const problems: string[] = [];
  for (const file of manifest.files) {
    try {
      const data = await readFile(join(dir, file.path));
      const sha = createHash('sha256').update(data).digest('hex');
      if (data.byteLength !== file.bytes) problems.push(`${file.path}: ${data.byteLength} bytes, manifest says ${file.bytes}`);
      if (sha !== file.sha256) problems.push(`${file.path}: sha256 ${sha}, manifest says ${file.sha256}`);
    } catch {
      problems.push(`${file.path}: listed in manifest.json but missing`);
    }
  }
  return { ok: problems.length === 0, problems };
}
