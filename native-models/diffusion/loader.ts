import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openSession, tensorFromValues, type ExecutionProviderName, type Feeds, type RuntimeSession, type ValueInfo } from '../runtime/index';
import { timestepTensor } from './pipeline/model-io';
import { checkDiffusersOnnxLayout, DIFFUSERS_ONNX_FILES, readJsonObject, type DiffusersOnnxLayout } from './layout';
import { parseSchedulerConfig, type SchedulerConfig, type SchedulerKind } from './schedulers/config';
import { ClipTokenizer } from './tokenizer/clip-tokenizer';
import type {
  DiffusionPipelineKind,
  FloatDType,
  TimestepDType,
  UnetSignature,
  TextEncoderSignature,
  VaeEncoderSignature,
  VaeDecoderSignature,
  DiffusionModelSignatures,
} from './signatures';

// The signature types live in signatures.ts (model-io.ts needs them too); re-exported for the loader's callers.
export type {
  DiffusionPipelineKind,
  FloatDType,
  TimestepDType,
  UnetSignature,
  TextEncoderSignature,
  VaeEncoderSignature,
  VaeDecoderSignature,
  DiffusionModelSignatures,
};

export interface LoadOptions {
  /** Execution-provider chain, tried in order with fallback (default ['cpu']). */
  executionProviders?: readonly ExecutionProviderName[] | 'auto';
  /** Use a different sampler over the model's noise schedule. */
  schedulerKind?: SchedulerKind;
}

/** An opened diffusers ONNX pipeline. Call release() (or use withDiffusionModel) to free its memory. */
export interface DiffusionModel {
  dir: string;
  layout: DiffusersOnnxLayout;
  signatures: DiffusionModelSignatures;
  tokenizer: ClipTokenizer;
  schedulerConfig: SchedulerConfig;
  /** VAE latent scaling (vae_decoder/config.json scaling_factor, else SD's 0.18215). */
  vaeScalingFactor: number;
  sessions: { textEncoder: RuntimeSession; unet: RuntimeSession; vaeEncoder: RuntimeSession; vaeDecoder: RuntimeSession };
  /** The provider each session opened on (fallbacks included). */
  executionProviders: Record<'textEncoder' | 'unet' | 'vaeEncoder' | 'vaeDecoder', ExecutionProviderName>;
  release(): Promise<void>;
}

export const SD_VAE_SCALING_FACTOR = 0.18215;

function fail(file: string, problem: string): never {
  throw new Error(`${file}: ${problem}`);
}

function findInput(meta: readonly ValueInfo[], file: string, names: readonly string[]): ValueInfo {
  const found = meta.find((m) => names.includes(m.name));
  if (!found) fail(file, `expected an input named ${names.join(' or ')}, the model has ${meta.map((m) => m.name).join(', ')}`);
  return found;
}

function floatDtype(info: ValueInfo, file: string): FloatDType {
  if (info.dtype === 'float32' || info.dtype === 'float16') return info.dtype;
  fail(file, `input/output '${info.name}' must be float32 or float16, got ${info.dtype}`);
}

function staticDim(info: ValueInfo, axis: number): number | undefined {
  const dim = info.shape[axis];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

export function detectTextEncoder(
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  file: string = DIFFUSERS_ONNX_FILES.textEncoder,
): TextEncoderSignature {
  const ids = findInput(inputs, file, ['input_ids']);
  if (ids.dtype !== 'int32' && ids.dtype !== 'int64') fail(file, `input 'input_ids' must be int32 or int64, got ${ids.dtype}`);
  const output = outputs.find((o) => o.name === 'last_hidden_state') ?? outputs[0];
  if (!output) fail(file, 'has no outputs');
  return { idsInput: ids.name, idsDtype: ids.dtype, outputName: output.name, fixedBatch: staticDim(ids, 0) };
}

/** unet/config.json fields used when the ONNX shapes leave channel counts symbolic (Optimum exports do). */
export interface UnetConfigHints {
  in_channels?: unknown;
  out_channels?: unknown;
  /** model_index.json "_class_name": the last resort for legacy exports with neither static shapes nor config. */
  pipelineClass?: string | undefined;
}

export function detectUnet(
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  file: string = DIFFUSERS_ONNX_FILES.unet,
  config: UnetConfigHints = {},
): UnetSignature {
  const sample = findInput(inputs, file, ['sample']);
  const timestep = findInput(inputs, file, ['timestep']);
  const hidden = findInput(inputs, file, ['encoder_hidden_states']);
  const cond = inputs.find((m) => m.name === 'timestep_cond');
  const known = new Set([sample.name, timestep.name, hidden.name, cond?.name]);
  const extra = inputs.filter((m) => !known.has(m.name));
  if (extra.length > 0) {
    fail(file, `unsupported extra input(s) ${extra.map((m) => m.name).join(', ')} (SDXL-style UNets are not supported)`);
  }
  if (sample.shape.length !== 4) fail(file, `input 'sample' must be 4-D [batch, channels, height, width], got [${sample.shape.join(', ')}]`);
  // Legacy diffusers exports mark channels dynamic and ship no unet/config.json: fall back on the pipeline class.
  const classIn = config.pipelineClass === undefined ? undefined : /InstructPix2Pix/i.test(config.pipelineClass) ? 8 : 4;
  const configIn = typeof config.in_channels === 'number' ? config.in_channels : classIn;
  const configOut = typeof config.out_channels === 'number' ? config.out_channels : undefined;
  const inChannels = staticDim(sample, 1) ?? configIn;
  if (inChannels === undefined) {
    fail(
      file,
      `input 'sample' has no fixed channel count ([${sample.shape.join(', ')}]), unet/config.json gives no "in_channels" and model_index.json no "_class_name"`,
    );
  }
  const output = outputs.find((o) => o.name === 'out_sample') ?? outputs[0];
  if (!output) fail(file, 'has no outputs');
  const latentChannels = staticDim(output, 1) ?? configOut ?? (inChannels === 8 ? 4 : inChannels);
  if (inChannels !== latentChannels && inChannels !== 2 * latentChannels) {
    fail(file, `input 'sample' has ${inChannels} channels, expected ${latentChannels} (img2img) or ${2 * latentChannels} (InstructPix2Pix)`);
  }
  const tsDtype = timestep.dtype;
  if (tsDtype !== 'float32' && tsDtype !== 'float16' && tsDtype !== 'int64' && tsDtype !== 'int32') {
    fail(file, `input 'timestep' must be float32, float16, int64 or int32, got ${tsDtype}`);
  }
  const timestepShape = timestep.shape.length === 0 ? 'scalar' : staticDim(timestep, 0) === 1 ? 'single' : 'batch';
  let timestepCond: UnetSignature['timestepCond'];
  if (cond) {
    const dim = staticDim(cond, 1);
    if (dim === undefined) fail(file, `input 'timestep_cond' needs a fixed width, got [${cond.shape.join(', ')}]`);
    timestepCond = { input: cond.name, dim, dtype: floatDtype(cond, file) };
  }
  return {
    sampleInput: sample.name,
    timestepInput: timestep.name,
    hiddenStatesInput: hidden.name,
    outputName: output.name,
    inChannels,
    inChannelsGuessed: staticDim(sample, 1) === undefined && typeof config.in_channels !== 'number',
    latentChannels,
    sampleDtype: floatDtype(sample, file),
    hiddenStatesDtype: floatDtype(hidden, file),
    timestepDtype: tsDtype,
    timestepShape,
    fixedBatch: staticDim(sample, 0),
    timestepCond,
  };
}

export function detectVaeEncoder(
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  latentChannels: number,
  file: string = DIFFUSERS_ONNX_FILES.vaeEncoder,
): VaeEncoderSignature {
  const input = findInput(inputs, file, ['sample']);
  const output = outputs.find((o) => o.name === 'latent_parameters') ?? outputs.find((o) => o.name === 'latent_sample') ?? outputs[0];
  if (!output) fail(file, 'has no outputs');
  const channels = staticDim(output, 1);
  const latentKind = output.name === 'latent_parameters' || channels === 2 * latentChannels ? 'parameters' : 'sampled';
  if (channels !== undefined && channels !== latentChannels && channels !== 2 * latentChannels) {
    fail(
      file,
      `output '${output.name}' has ${channels} channels, expected ${latentChannels} (latent) or ${2 * latentChannels} (mean + logvar) to match the UNet`,
    );
  }
  return { input: input.name, inputDtype: floatDtype(input, file), output: output.name, latentKind, fixedBatch: staticDim(input, 0) };
}

export function detectVaeDecoder(
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  latentChannels: number,
  file: string = DIFFUSERS_ONNX_FILES.vaeDecoder,
): VaeDecoderSignature {
  const input = findInput(inputs, file, ['latent_sample']);
  const channels = staticDim(input, 1);
  if (channels !== undefined && channels !== latentChannels) fail(file, `input '${input.name}' has ${channels} channels, the UNet produces ${latentChannels}`);
  const output = outputs.find((o) => o.name === 'sample') ?? outputs[0];
  if (!output) fail(file, 'has no outputs');
  return { input: input.name, inputDtype: floatDtype(input, file), output: output.name, fixedBatch: staticDim(input, 0) };
}

/**
 * Runs the UNet once on a tiny 8x8 latent with the guessed channel count, and with the other one (4 <-> 8)
 * if that fails: the only way to tell InstructPix2Pix from SD when an export hides both shapes and config.
 */
async function confirmUnetChannels(unet: RuntimeSession, signature: UnetSignature, file: string): Promise<UnetSignature> {
  const hiddenInfo = unet.inputMetadata.find((m) => m.name === signature.hiddenStatesInput)!;
  const hiddenSize = typeof hiddenInfo.shape[2] === 'number' ? hiddenInfo.shape[2] : 768;
  const latent = signature.latentChannels;
  const errors: string[] = [];
  for (const channels of signature.inChannels === 2 * latent ? [2 * latent, latent] : [latent, 2 * latent]) {
    const feeds: Feeds = {
      [signature.sampleInput]: tensorFromValues(signature.sampleDtype, new Float32Array(channels * 64), [1, channels, 8, 8]),
      [signature.timestepInput]: timestepTensor(signature, 500, 1),
      [signature.hiddenStatesInput]: tensorFromValues(signature.hiddenStatesDtype, new Float32Array(77 * hiddenSize), [1, 77, hiddenSize]),
    };
    if (signature.timestepCond) {
      feeds[signature.timestepCond.input] = tensorFromValues(signature.timestepCond.dtype, new Float32Array(signature.timestepCond.dim), [
        1,
        signature.timestepCond.dim,
      ]);
    }
    try {
      await unet.run(feeds, [signature.outputName]);
      return { ...signature, inChannels: channels, inChannelsGuessed: false };
    } catch (error) {
      errors.push(`${channels} channels: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  fail(file, `could not tell the UNet's input channels (shapes are dynamic, no unet/config.json); probe runs failed: ${errors.join('; ')}`);
}

async function readScalingFactor(dir: string): Promise<number> {
  for (const file of ['vae_decoder/config.json', 'vae_encoder/config.json']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const value = (await readJsonObject(path, file))['scaling_factor'];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) fail(path, `"scaling_factor" must be a positive number, got ${JSON.stringify(value)}`);
    return value;
  }
  return SD_VAE_SCALING_FACTOR;
}

/**
 * Opens a diffusers ONNX export (text encoder, UNet, VAE encoder/decoder, tokenizer, scheduler) and detects
 * from the sessions' metadata what kind of pipeline it is and which dtypes and shapes its inputs want.
 */
export async function loadDiffusionModel(dir: string, options: LoadOptions = {}): Promise<DiffusionModel> {
  const layout = await checkDiffusersOnnxLayout(dir);
  const tokenizer = await ClipTokenizer.fromDirectory(join(dir, 'tokenizer'));
  const schedulerJson = await readJsonObject(layout.files.schedulerConfig, DIFFUSERS_ONNX_FILES.schedulerConfig);
  const schedulerConfig = parseSchedulerConfig(schedulerJson, {
    source: layout.files.schedulerConfig,
    ...(options.schedulerKind ? { kindOverride: options.schedulerKind } : {}),
  });
  const vaeScalingFactor = await readScalingFactor(dir);
  const sessionOptions = { executionProviders: options.executionProviders ?? ['cpu'] } as const;
  const opened: RuntimeSession[] = [];
  const open = async (path: string): Promise<RuntimeSession> => {
    const session = await openSession(path, sessionOptions);
    opened.push(session);
    return session;
  };
  try {
    const textEncoder = await open(layout.files.textEncoder);
    const unet = await open(layout.files.unet);
    const vaeEncoder = await open(layout.files.vaeEncoder);
    const vaeDecoder = await open(layout.files.vaeDecoder);
    const unetConfigPath = join(dir, 'unet', 'config.json');
    const unetConfig = existsSync(unetConfigPath) ? await readJsonObject(unetConfigPath, 'unet/config.json') : {};
    let unetSignature = detectUnet(unet.inputMetadata, unet.outputMetadata, layout.files.unet, { ...unetConfig, pipelineClass: layout.pipelineClass });
    if (unetSignature.inChannelsGuessed) unetSignature = await confirmUnetChannels(unet, unetSignature, layout.files.unet);
    const signatures: DiffusionModelSignatures = {
      kind: unetSignature.inChannels === 2 * unetSignature.latentChannels ? 'instruct-pix2pix' : 'img2img',
      textEncoder: detectTextEncoder(textEncoder.inputMetadata, textEncoder.outputMetadata, layout.files.textEncoder),
      unet: unetSignature,
      vaeEncoder: detectVaeEncoder(vaeEncoder.inputMetadata, vaeEncoder.outputMetadata, unetSignature.latentChannels, layout.files.vaeEncoder),
      vaeDecoder: detectVaeDecoder(vaeDecoder.inputMetadata, vaeDecoder.outputMetadata, unetSignature.latentChannels, layout.files.vaeDecoder),
    };
    const sessions = { textEncoder, unet, vaeEncoder, vaeDecoder };
    return {
      dir,
      layout,
      signatures,
      tokenizer,
      schedulerConfig,
      vaeScalingFactor,
      sessions,
      executionProviders: {
        textEncoder: textEncoder.executionProvider,
        unet: unet.executionProvider,
        vaeEncoder: vaeEncoder.executionProvider,
        vaeDecoder: vaeDecoder.executionProvider,
      },
      release: async () => {
        for (const session of Object.values(sessions)) await session.release();
      },
    };
  } catch (error) {
    for (const session of opened) await session.release();
    throw error;
  }
}

/** Loads, runs `fn`, and always releases the sessions, so a finished job gives its memory back. */
export async function withDiffusionModel<T>(dir: string, options: LoadOptions, fn: (model: DiffusionModel) => Promise<T>): Promise<T> {
  const model = await loadDiffusionModel(dir, options);
  try {
    return await fn(model);
  } finally {
    await model.release();
  }
}
