import { imagesToNchw, nchwToImage, type RgbImage } from '../../image/image';
import { tensorFromValues } from '../../runtime/index';
import type { DiffusionModel } from '../loader';
import { SeededRandom } from '../random';
import { createScheduler, img2imgStartIndex, type Scheduler } from '../schedulers/index';
import { combineInstructPix2PixGuidance, combineTextGuidance, guidanceScaleEmbedding } from './guidance';
import { floatTensor, runInChunks, sliceRows, timestepTensor } from './model-io';

export interface GenerationProgress {
  /** Denoising steps finished so far (1-based after the first). */
  step: number;
  steps: number;
  timestep: number;
  elapsedMs: number;
}

export interface GenerationRequest {
  /** Same-sized photos; width and height must be multiples of 8 (64 for real SD UNets). */
  images: readonly RgbImage[];
  prompt: string;
  negativePrompt?: string;
  /** Scheduler steps (InstructPix2Pix default 20; img2img default 2, of which `strength` are run). */
  steps?: number;
  /** Image i of the batch uses seed + i, so each result is independent of the batch it ran in. */
  seed?: number;
  /** Explicit per-image seeds (one per image); overrides `seed`. */
  seeds?: readonly number[];
  /** Text guidance: InstructPix2Pix default 7.5; img2img default 0 (SD-Turbo-class; use ~7.5 for SD1.5), 8.5 for LCM UNets. */
  guidanceScale?: number;
  /** InstructPix2Pix image guidance, default 1.5. */
  imageGuidanceScale?: number;
  /** img2img: how much of the schedule to run from the noised photo (default 0.5). */
  strength?: number;
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
}

export interface GenerationResult {
  images: RgbImage[];
  /** Wall seconds of each UNet step (all guidance branches of the whole batch). */
  stepSeconds: number[];
  totalSeconds: number;
}

export class GenerationCancelledError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('generation cancelled');
  }
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GenerationCancelledError();
}

/**
 * ORT's run() blocks the thread and its promise settles as a microtask, so a loop of awaits never lets
 * timers or worker messages in. Yielding one macrotask per step lets a cancel request arrive in time.
 */
async function yieldThenCheckCancelled(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  checkCancelled(signal);
}

function checkImages(images: readonly RgbImage[]): { width: number; height: number } {
  if (images.length === 0) throw new Error('generation needs at least one image');
  const { width, height } = images[0]!;
  if (width % 8 !== 0 || height % 8 !== 0) throw new Error(`image size ${width}x${height}: width and height must be multiples of 8`);
  images.forEach((image, i) => {
    if (image.width !== width || image.height !== height) throw new Error(`batch image ${i} is ${image.width}x${image.height}, expected ${width}x${height}`);
  });
  return { width, height };
}

function imageRandoms(request: GenerationRequest): SeededRandom[] {
  if (request.seeds && request.seeds.length !== request.images.length) {
    throw new Error(`generation: ${request.seeds.length} seeds for ${request.images.length} images`);
  }
  const seed = request.seed ?? 0;
  return request.images.map((_, i) => new SeededRandom(request.seeds ? request.seeds[i]! : seed + i));
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Text embeddings [77 x dim] for each prompt, through the text encoder (chunked for fixed-batch exports). */
async function encodePrompts(model: DiffusionModel, prompts: readonly string[]): Promise<Float32Array[]> {
  const sig = model.signatures.textEncoder;
  const length = model.tokenizer.maxLength;
  const ids = prompts.map((p) => model.tokenizer.encode(p).ids);
  const hidden = await runInChunks(model.sessions.textEncoder, prompts.length, sig.fixedBatch, sig.outputName, (rows) => ({
    [sig.idsInput]: tensorFromValues(
      sig.idsDtype,
      rows.flatMap((r) => ids[r]!),
      [rows.length, length],
    ),
  }));
  const rowSize = hidden.length / prompts.length;
  return prompts.map((_, i) => sliceRows(hidden, rowSize, i, 1).slice());
}

/**
 * VAE-encodes each image to its latent distribution's mode (Optimum) or the exported sampled latent
 * (legacy). One image per run unless the export fixes the batch size; keeps peak memory low at 512 px.
 */
async function encodeImages(model: DiffusionModel, images: readonly RgbImage[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
  checkCancelled(signal);
  const sig = model.signatures.vaeEncoder;
  const latentChannels = model.signatures.unet.latentChannels;
  const { width, height } = images[0]!;
  const plane = (width / 8) * (height / 8);
  const pixels = images.map((image) => imagesToNchw([image]).data);
  const out = await runInChunks(model.sessions.vaeEncoder, images.length, sig.fixedBatch ?? 1, sig.output, (rows) => ({
    [sig.input]: floatTensor(sig.inputDtype, concat(rows.map((r) => pixels[r]!)), [rows.length, 3, height, width]),
  }));
  const perImage = (sig.latentKind === 'parameters' ? 2 : 1) * latentChannels * plane;
  if (out.length !== perImage * images.length) {
    throw new Error(
      `vae_encoder: output '${sig.output}' has ${out.length / images.length} values per image, expected ${perImage} for ${width}x${height} (8x downsampling)`,
    );
  }
  // Optimum's latent_parameters = [mean, logvar] along channels: the first half is the mean (the mode).
  return images.map((_, i) => out.slice(i * perImage, i * perImage + latentChannels * plane));
}

async function decodeLatents(
  model: DiffusionModel,
  latents: readonly Float32Array[],
  width: number,
  height: number,
  signal: AbortSignal | undefined,
): Promise<RgbImage[]> {
  checkCancelled(signal);
  const sig = model.signatures.vaeDecoder;
  const channels = model.signatures.unet.latentChannels;
  const scaled = latents.map((latent) => latent.map((v) => v / model.vaeScalingFactor));
  const out = await runInChunks(model.sessions.vaeDecoder, latents.length, sig.fixedBatch ?? 1, sig.output, (rows) => ({
    [sig.input]: floatTensor(sig.inputDtype, concat(rows.map((r) => scaled[r]!)), [rows.length, channels, height / 8, width / 8]),
  }));
  return latents.map((_, i) => nchwToImage({ data: out, dims: [latents.length, 3, height, width] }, i));
}

interface UnetRow {
  /** UNet `sample` input for this row (latents, plus image latents for InstructPix2Pix). */
  sample: Float32Array;
  hidden: Float32Array;
}

async function runUnet(
  model: DiffusionModel,
  rows: readonly UnetRow[],
  timestep: number,
  latentPlane: number,
  size: { width: number; height: number },
  timestepCond: Float32Array | undefined,
): Promise<Float32Array[]> {
  const sig = model.signatures.unet;
  const hiddenRow = rows[0]!.hidden.length;
  const out = await runInChunks(model.sessions.unet, rows.length, sig.fixedBatch, sig.outputName, (indices) => {
    const chunk = indices.map((i) => rows[i]!);
    const count = chunk.length;
    const feeds = {
      [sig.sampleInput]: floatTensor(sig.sampleDtype, concat(chunk.map((r) => r.sample)), [count, sig.inChannels, size.height / 8, size.width / 8]),
      [sig.timestepInput]: timestepTensor(sig, timestep, count),
      [sig.hiddenStatesInput]: floatTensor(sig.hiddenStatesDtype, concat(chunk.map((r) => r.hidden)), [
        count,
        model.tokenizer.maxLength,
        hiddenRow / model.tokenizer.maxLength,
      ]),
    };
    if (sig.timestepCond && timestepCond) {
      const cond = concat(chunk.map(() => timestepCond));
      feeds[sig.timestepCond.input] = floatTensor(sig.timestepCond.dtype, cond, [count, sig.timestepCond.dim]);
    }
    return feeds;
  });
  const rowSize = sig.latentChannels * latentPlane;
  return rows.map((_, i) => sliceRows(out, rowSize, i, 1));
}

function makeScheduler(model: DiffusionModel): Scheduler {
  return createScheduler(model.schedulerConfig);
}

/**
 * InstructPix2Pix (Brooks et al. 2023): denoise from pure noise while the UNet sees the photo's latents
 * (unscaled distribution mode) as 4 extra channels; 3-way classifier-free guidance over text and image.
 */
export async function generateInstructPix2Pix(model: DiffusionModel, request: GenerationRequest): Promise<GenerationResult> {
  if (model.signatures.kind !== 'instruct-pix2pix') throw new Error(`${model.dir} is an ${model.signatures.kind} model, not InstructPix2Pix`);
  const started = performance.now();
  const { width, height } = checkImages(request.images);
  const steps = request.steps ?? 20;
  const guidance = request.guidanceScale ?? 7.5;
  const imageGuidance = request.imageGuidanceScale ?? 1.5;
  const useGuidance = guidance > 1 && imageGuidance >= 1;
  const latentChannels = model.signatures.unet.latentChannels;
  const latentPlane = (width / 8) * (height / 8);

  const [textHidden, uncondHidden] = await encodePrompts(model, [request.prompt, request.negativePrompt ?? '']);
  const imageLatents = await encodeImages(model, request.images, request.signal);
  const zeroLatents = new Float32Array(latentChannels * latentPlane);
  const scheduler = makeScheduler(model);
  scheduler.setTimesteps(steps);
  const randoms = imageRandoms(request);
  let latents: Float32Array[] = randoms.map((random) => random.normalArray(latentChannels * latentPlane).map((v) => v * scheduler.initNoiseSigma));

  const stepSeconds: number[] = [];
  for (const [index, timestep] of scheduler.timesteps.entries()) {
    await yieldThenCheckCancelled(request.signal);
    const stepStarted = performance.now();
    const rows: UnetRow[] = [];
    for (const [i, latent] of latents.entries()) {
      const scaled = scheduler.scaleModelInput(latent, index);
      rows.push({ sample: concat([scaled, imageLatents[i]!]), hidden: textHidden! });
      if (useGuidance) {
        rows.push({ sample: concat([scaled, imageLatents[i]!]), hidden: uncondHidden! });
        rows.push({ sample: concat([scaled, zeroLatents]), hidden: uncondHidden! });
      }
    }
    const predictions = await runUnet(model, rows, timestep, latentPlane, { width, height }, undefined);
    latents = latents.map((latent, i) => {
      const noise = useGuidance
        ? combineInstructPix2PixGuidance(predictions[3 * i]!, predictions[3 * i + 1]!, predictions[3 * i + 2]!, guidance, imageGuidance)
        : predictions[i]!;
      return scheduler.step(noise, index, latent, randoms[i]!);
    });
    stepSeconds.push((performance.now() - stepStarted) / 1000);
    request.onProgress?.({ step: index + 1, steps: scheduler.timesteps.length, timestep, elapsedMs: performance.now() - started });
  }
  const images = await decodeLatents(model, latents, width, height, request.signal);
  return { images, stepSeconds, totalSeconds: (performance.now() - started) / 1000 };
}

/**
 * img2img for SD / SD-Turbo-class models: encode the photo (scaled latents), noise it to the strength's
 * timestep, denoise the remaining steps with optional text CFG (0 for turbo models).
 */
export async function generateImg2Img(model: DiffusionModel, request: GenerationRequest): Promise<GenerationResult> {
  if (model.signatures.kind !== 'img2img') throw new Error(`${model.dir} is an ${model.signatures.kind} model, use InstructPix2Pix generation`);
  const started = performance.now();
  const { width, height } = checkImages(request.images);
  const steps = request.steps ?? 2;
  const strength = request.strength ?? 0.5;
  const sig = model.signatures.unet;
  // Turbo models are distilled for no guidance; LCM UNets expect their embedded scale (diffusers' default 8.5).
  const guidance = request.guidanceScale ?? (sig.timestepCond ? 8.5 : 0);
  // LCM-style UNets take the guidance scale as an embedding instead of running CFG branches.
  const timestepCond = sig.timestepCond ? guidanceScaleEmbedding(guidance, sig.timestepCond.dim) : undefined;
  const useGuidance = guidance > 1 && !timestepCond;
  const latentPlane = (width / 8) * (height / 8);

  const prompts = useGuidance ? [request.prompt, request.negativePrompt ?? ''] : [request.prompt];
  const [condHidden, uncondHidden] = await encodePrompts(model, prompts);
  const clean = (await encodeImages(model, request.images, request.signal)).map((l) => l.map((v) => v * model.vaeScalingFactor));
  const scheduler = makeScheduler(model);
  let startIndex: number;
  if (scheduler.config.kind === 'lcm') {
    scheduler.setTimesteps(steps, { strength });
    startIndex = 0;
  } else {
    scheduler.setTimesteps(steps);
    startIndex = img2imgStartIndex(steps, strength);
  }
  const randoms = imageRandoms(request);
  let latents: Float32Array[] = clean.map((latent, i) => scheduler.addNoise(latent, randoms[i]!.normalArray(latent.length), startIndex));

  const stepSeconds: number[] = [];
  const timesteps = scheduler.timesteps.slice(startIndex);
  for (const [offset, timestep] of timesteps.entries()) {
    const index = startIndex + offset;
    await yieldThenCheckCancelled(request.signal);
    const stepStarted = performance.now();
    const rows: UnetRow[] = [];
    for (const latent of latents) {
      const scaled = scheduler.scaleModelInput(latent, index);
      rows.push({ sample: scaled, hidden: condHidden! });
      if (useGuidance) rows.push({ sample: scaled, hidden: uncondHidden! });
    }
    const predictions = await runUnet(model, rows, timestep, latentPlane, { width, height }, timestepCond);
    latents = latents.map((latent, i) => {
      const noise = useGuidance ? combineTextGuidance(predictions[2 * i]!, predictions[2 * i + 1]!, guidance) : predictions[i]!;
      return scheduler.step(noise, index, latent, randoms[i]!);
    });
    stepSeconds.push((performance.now() - stepStarted) / 1000);
    request.onProgress?.({ step: offset + 1, steps: timesteps.length, timestep, elapsedMs: performance.now() - started });
  }
  const images = await decodeLatents(model, latents, width, height, request.signal);
  return { images, stepSeconds, totalSeconds: (performance.now() - started) / 1000 };
}

/** Runs whichever pipeline the model is. */
export function generate(model: DiffusionModel, request: GenerationRequest): Promise<GenerationResult> {
  return model.signatures.kind === 'instruct-pix2pix' ? generateInstructPix2Pix(model, request) : generateImg2Img(model, request);
}
