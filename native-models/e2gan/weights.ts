import { readFile } from 'node:fs/promises';
import { createRng } from '../util/rng';
import { decodeSafetensors, f16TensorFromFloat32, tensorFromArray, toFloat32, writeSafetensors, type SafeTensor } from '../io/safetensors';
import {
  COLOUR_FILM_LAYER,
  COLOUR_HEAD_LAYER,
  conceptTokensShape,
  discriminatorParameters,
  generatorLayers,
  generatorParameters,
  parseGeneratorConfig,
  validateDiscriminatorConfig,
  type DiscriminatorConfig,
  type GeneratorConfig,
  type ParameterSpec,
} from './config';

/** Parameter name -> float32 values (shapes come from the config's ParameterSpec list). */
export type Weights = Map<string, Float32Array>;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Deterministic initialisation: He-normal convs (ReLU nets), 1/sqrt(fan_in) linears, unit norm scales, zero
 * biases. The output conv starts small so tanh begins in its linear range.
 */
function initialise(params: readonly ParameterSpec[], seed: number, outputLayer: string): Weights {
  const rng = createRng(seed);
  const weights: Weights = new Map();
  for (const p of params) {
    const data = new Float32Array(numel(p.shape));
    if (p.name.endsWith('.scale')) data.fill(1);
    else if (p.name.endsWith('.weight')) {
      const fanIn = p.shape.length === 4 ? p.shape[1]! * p.shape[2]! * p.shape[3]! : p.shape[0]!;
      const std = p.name === `${outputLayer}.weight` ? 0.5 / Math.sqrt(fanIn) : p.shape.length === 4 ? Math.sqrt(2 / fanIn) : 1 / Math.sqrt(fanIn);
      for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
    }
    weights.set(p.name, data);
  }
  return weights;
}

export function initGeneratorWeights(config: GeneratorConfig, seed: number): Weights {
  const weights = initialise(generatorParameters(config), seed, 'generator.out.conv');
  const skip = weights.get('generator.skip.conv.weight');
  if (skip && config.inChannels === config.outChannels) {
    // Start as (nearly) the identity map: image-to-image concepts are small edits of the input.
    skip.fill(0);
    for (let c = 0; c < config.inChannels; c++) skip[c * config.inChannels + c] = 1;
  }
  if (config.head === 'colour-matrix') {
    // Both heads start silent (zero-init residual branches): a fresh generator is exactly the identity map, and
    // the trunk gets gradients as soon as the heads move. Without tanh a random residual would add noise of the
    // order of the image itself.
    weights.get(`${COLOUR_HEAD_LAYER}.weight`)!.fill(0);
    weights.get('generator.out.conv.weight')!.fill(0);
    weights.get(`${COLOUR_FILM_LAYER}.weight`)?.fill(0);
  }
  // FiLM starts near "no modulation" but not at zero, so concept tokens get a gradient through it from step 1.
  for (const layer of generatorLayers(config)) {
    if (layer.group !== 'film') continue;
    const w = weights.get(`${layer.name}.weight`)!;
    for (let i = 0; i < w.length; i++) w[i]! *= 0.1;
  }
  return weights;
}

export function initDiscriminatorWeights(config: DiscriminatorConfig, seed: number): Weights {
  // PatchGAN convention: N(0, 0.02) weights keep the critic from dominating early.
  const weights = initialise(discriminatorParameters(config), seed, '');
  const rng = createRng(seed ^ 0x5f3759df);
  for (const [name, data] of weights) if (name.endsWith('.weight')) for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.02;
  return weights;
}

/** Concept tokens start as small noise; a text-embedding initialiser may overwrite them. */
export function initConceptTokens(config: GeneratorConfig, seed: number): Float32Array {
  const rng = createRng(seed ^ 0x7ace);
  const [t, d] = conceptTokensShape(config);
  const data = new Float32Array(t * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.02 * Math.sqrt(d);
  return data;
}

/** Checks a weight map against the config's parameter list: every name present, right size, nothing extra. */
export function checkWeights(weights: ReadonlyMap<string, Float32Array>, params: readonly ParameterSpec[], source: string): void {
  const expected = new Set(params.map((p) => p.name));
  for (const p of params) {
    const data = weights.get(p.name);
    if (!data) throw new Error(`${source}: missing tensor '${p.name}' [${p.shape.join(', ')}]`);
    if (data.length !== numel(p.shape))
      throw new Error(`${source}: tensor '${p.name}' has ${data.length} values, expected [${p.shape.join(', ')}] = ${numel(p.shape)}`);
  }
  for (const name of weights.keys()) if (!expected.has(name)) throw new Error(`${source}: unexpected tensor '${name}' for this config`);
}

/** A base model file: generator (+ optional discriminator) weights, fp32 or fp16, configs in the metadata. */
export interface BaseModel {
  readonly generatorConfig: GeneratorConfig;
  readonly generator: Weights;
  readonly discriminatorConfig?: DiscriminatorConfig;
  readonly discriminator?: Weights;
  /** Tokens of the concepts the base was trained with, by concept id (optional). */
  readonly conceptTokens?: ReadonlyMap<string, Float32Array>;
}

const GENERATOR_CONFIG_KEY = 'e2gan.generator_config';
const DISCRIMINATOR_CONFIG_KEY = 'e2gan.discriminator_config';
const TOKENS_PREFIX = 'concept_tokens.';

export async function saveBaseModel(path: string, model: BaseModel, options: { fp16?: boolean } = {}): Promise<void> {
  const tensors = new Map<string, SafeTensor>();
  const put = (name: string, shape: readonly number[], data: Float32Array): void => {
    tensors.set(name, options.fp16 ? f16TensorFromFloat32(shape, data) : tensorFromArray(shape, data));
  };
  const gParams = generatorParameters(model.generatorConfig);
  checkWeights(model.generator, gParams, 'generator');
  for (const p of gParams) put(p.name, p.shape, model.generator.get(p.name)!);
  const metadata: Record<string, string> = { format: 'e2gan-base', [GENERATOR_CONFIG_KEY]: JSON.stringify(model.generatorConfig) };
  if (model.discriminatorConfig && model.discriminator) {
    const dParams = discriminatorParameters(model.discriminatorConfig);
    checkWeights(model.discriminator, dParams, 'discriminator');
    for (const p of dParams) put(p.name, p.shape, model.discriminator.get(p.name)!);
    metadata[DISCRIMINATOR_CONFIG_KEY] = JSON.stringify(model.discriminatorConfig);
  }
  for (const [id, tokens] of model.conceptTokens ?? []) put(`${TOKENS_PREFIX}${id}`, conceptTokensShape(model.generatorConfig), tokens);
  await writeSafetensors(path, tensors, metadata);
}

export async function loadBaseModel(path: string): Promise<BaseModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read base model (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const contents = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  const configText = contents.metadata[GENERATOR_CONFIG_KEY];
  if (!configText) throw new Error(`${path}: not an E2GAN base model (metadata '${GENERATOR_CONFIG_KEY}' missing)`);
  const generatorConfig = parseGeneratorConfig(configText, path);
  const generator: Weights = new Map();
  const discriminator: Weights = new Map();
  const conceptTokens = new Map<string, Float32Array>();
  for (const [name, tensor] of contents.tensors) {
    const data = toFloat32(tensor, `${path}: ${name}`);
    if (name.startsWith('generator.')) generator.set(name, data);
    else if (name.startsWith('discriminator.')) discriminator.set(name, data);
    else if (name.startsWith(TOKENS_PREFIX)) conceptTokens.set(name.slice(TOKENS_PREFIX.length), data);
    else throw new Error(`${path}: unexpected tensor '${name}' in a base model`);
  }
  checkWeights(generator, generatorParameters(generatorConfig), path);
  const dText = contents.metadata[DISCRIMINATOR_CONFIG_KEY];
  if (!dText) return { generatorConfig, generator, conceptTokens };
  const discriminatorConfig = JSON.parse(dText) as DiscriminatorConfig;
  validateDiscriminatorConfig(discriminatorConfig);
  checkWeights(discriminator, discriminatorParameters(discriminatorConfig), path);
  return { generatorConfig, generator, discriminatorConfig, discriminator, conceptTokens };
}
