/**
 * E2GAN network configurations and everything derivable from them without building a graph: the list of
 * parameterised layers (names match the graph builder's scoped names), parameter and MAC counts, and the LoRA
 * placement table with per-layer ranks.
 *
 * Generator (Gong et al. 2024, Fig. 3): stem conv -> down-sampling stage (stride-2 convs) -> 2 ResNet blocks ->
 * down-sampling layer (stride-2 conv) -> transformer block (self-attn, cross-attn to concept tokens, FFN) ->
 * up-sampling layer -> 1 ResNet block -> up-sampling stage -> output conv + tanh. Convs followed by a norm have
 * no bias (its gradient is identically zero under InstanceNorm).
 */

export interface GeneratorConfig {
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stemChannels: number;
  readonly stemKernel: number;
  /** Output channels of each stride-2 conv of the down-sampling stage; the up-sampling stage mirrors it. */
  readonly downChannels: readonly number[];
  /** Channels of the transformer block (after the down-sampling layer). */
  readonly modelChannels: number;
  readonly heads: number;
  readonly ffnMultiplier: number;
  readonly conceptTokens: number;
  readonly tokenDim: number;
  readonly resBlocksBefore: number;
  readonly resBlocksAfter: number;
  /**
   * A 1x1 conv from the input image added before the output tanh. InstanceNorm in every block discards each
   * image's absolute brightness and colour, which tone/colour concepts (sepia, night...) need; this path keeps
   * them at the cost of in*out weights. Not in the paper's figure; off for configs that predate it.
   */
  readonly inputSkip?: boolean;
  /**
   * Output head. 'tanh' (the paper's figure): tanh(out conv [+ input skip]). 'colour-matrix':
   * y = W·x + M(p)·x + b(p) + r(p) with no tanh (clamped at export): W the global 1x1 skip, M (3x3) and b per
   * pixel predicted at the bottleneck-side 1/2^k resolution and upsampled bilinearly, r the residual out conv.
   * A tanh head after InstanceNorm trunks cannot even reproduce its input well; this one expresses any colour
   * map exactly. Absent = 'tanh' (configs that predate it).
   */
  readonly head?: 'tanh' | 'colour-matrix';
  /** Parameter-free U-Net skips: encoder features added to the decoder at each resolution (keeps detail). */
  readonly unetSkips?: boolean;
  /**
   * FiLM from the mean concept token into every decoder norm (per-channel scale and shift) and into the colour
   * head, so concepts reach more than the bottleneck's cross-attention (a multi-concept base can then hold
   * conflicting colour maps).
   */
  readonly tokenFilm?: boolean;
}

export interface DiscriminatorConfig {
  readonly height: number;
  readonly width: number;
  /** Conditional PatchGAN: input image and (real or generated) output are concatenated on channels. */
  readonly inChannels: number;
  readonly baseChannels: number;
  /** Number of stride-2 conv layers (3 gives the classic 70x70 receptive field with the two stride-1 layers). */
  readonly downLayers: number;
  readonly kernel: number;
}

export type WidthPreset = 'tiny' | 'small' | 'base';
export const WIDTH_PRESETS: readonly WidthPreset[] = ['tiny', 'small', 'base'];

const GENERATOR_WIDTHS: Record<WidthPreset, Pick<GeneratorConfig, 'stemChannels' | 'downChannels' | 'modelChannels' | 'heads' | 'tokenDim'>> = {
  tiny: { stemChannels: 8, downChannels: [16, 32], modelChannels: 64, heads: 2, tokenDim: 64 },
  small: { stemChannels: 16, downChannels: [32, 64], modelChannels: 128, heads: 4, tokenDim: 128 },
  base: { stemChannels: 32, downChannels: [64, 128], modelChannels: 256, heads: 4, tokenDim: 256 },
};
const DISCRIMINATOR_WIDTHS: Record<WidthPreset, number> = { tiny: 8, small: 16, base: 32 };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function generatorPreset(preset: WidthPreset = 'base', overrides: Partial<GeneratorConfig> = {}): GeneratorConfig {
  const widths = GENERATOR_WIDTHS[preset];
  if (!widths) throw new ConfigError(`unknown width preset '${preset}' (expected ${WIDTH_PRESETS.join(', ')})`);
  const config: GeneratorConfig = {
    height: 256,
    width: 256,
    inChannels: 3,
    outChannels: 3,
    stemKernel: 7,
    ffnMultiplier: 4,
    conceptTokens: 4,
    resBlocksBefore: 2,
    resBlocksAfter: 1,
    inputSkip: true,
    head: 'colour-matrix',
    unetSkips: true,
    tokenFilm: true,
    ...widths,
    ...overrides,
  };
  validateGeneratorConfig(config);
  return config;
}

/**
 * Reads a generator config stored by an earlier version: fields added later are absent there and mean the
 * architecture of that time (tanh head, no U-Net skips, no FiLM), never today's preset defaults.
 */
export function parseGeneratorConfig(text: string, source: string): GeneratorConfig {
  let parsed: GeneratorConfig;
  try {
    parsed = JSON.parse(text) as GeneratorConfig;
  } catch (error) {
    throw new ConfigError(`${source}: generator config is not valid JSON (${(error as Error).message})`);
  }
  const config: GeneratorConfig = { head: 'tanh', unetSkips: false, tokenFilm: false, ...parsed };
  validateGeneratorConfig(config);
  return config;
}

export function discriminatorPreset(preset: WidthPreset = 'base', overrides: Partial<DiscriminatorConfig> = {}): DiscriminatorConfig {
  const baseChannels = DISCRIMINATOR_WIDTHS[preset];
  if (!baseChannels) throw new ConfigError(`unknown width preset '${preset}' (expected ${WIDTH_PRESETS.join(', ')})`);
  const config: DiscriminatorConfig = { height: 256, width: 256, inChannels: 6, baseChannels, downLayers: 3, kernel: 4, ...overrides };
  validateDiscriminatorConfig(config);
  return config;
}

/**
 * The discriminator preset for an image size: the classic 3 stride-2 layers where the image is big enough,
 * fewer for tiny training resolutions (so a 16x16 test run still gets a patch map).
 */
export function discriminatorForSize(preset: WidthPreset, height: number, width: number): DiscriminatorConfig {
  for (let downLayers = 3; downLayers >= 1; downLayers--) {
    const candidate = { ...discriminatorPreset(preset), height, width, downLayers };
    const [h, w] = discriminatorOutputShape(candidate);
    if (h >= 1 && w >= 1) return candidate;
  }
  throw new ConfigError(`discriminator config: image size ${width}x${height} is too small for a PatchGAN`);
}

/** Down-sampling stage convs + the down-sampling layer, each stride 2. */
export function totalStride(config: GeneratorConfig): number {
  return 2 ** (config.downChannels.length + 1);
}

function positiveInt(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new ConfigError(`generator config field '${field}': expected a positive integer, got ${JSON.stringify(value)}`);
  }
}

export function validateGeneratorConfig(config: GeneratorConfig): void {
  for (const field of [
    'height',
    'width',
    'inChannels',
    'outChannels',
    'stemChannels',
    'stemKernel',
    'modelChannels',
    'heads',
    'ffnMultiplier',
    'conceptTokens',
    'tokenDim',
  ] as const) {
    positiveInt(config[field], field);
  }
  for (const field of ['resBlocksBefore', 'resBlocksAfter'] as const) {
    if (!Number.isInteger(config[field]) || config[field] < 0)
      throw new ConfigError(`generator config field '${field}': expected an integer >= 0, got ${config[field]}`);
  }
  if (!Array.isArray(config.downChannels) || config.downChannels.length === 0) {
    throw new ConfigError(`generator config field 'downChannels': expected a non-empty array of channel counts, got ${JSON.stringify(config.downChannels)}`);
  }
  config.downChannels.forEach((c, i) => positiveInt(c, `downChannels[${i}]`));
  if (config.stemKernel % 2 === 0) throw new ConfigError(`generator config field 'stemKernel': expected an odd kernel size, got ${config.stemKernel}`);
  if (config.modelChannels % config.heads !== 0) {
    throw new ConfigError(`generator config: modelChannels ${config.modelChannels} is not divisible by heads ${config.heads}`);
  }
  if (config.head !== undefined && config.head !== 'tanh' && config.head !== 'colour-matrix') {
    throw new ConfigError(`generator config field 'head': expected 'tanh' or 'colour-matrix', got ${JSON.stringify(config.head)}`);
  }
  if (config.head === 'colour-matrix' && (!config.inputSkip || config.inChannels !== 3 || config.outChannels !== 3)) {
    throw new ConfigError("generator config: the 'colour-matrix' head needs inputSkip and 3 input and output channels");
  }
  const stride = totalStride(config);
  if (config.height % stride !== 0 || config.width % stride !== 0) {
    throw new ConfigError(`generator config: image size ${config.width}x${config.height} must be a multiple of the total stride ${stride}`);
  }
}

export function validateDiscriminatorConfig(config: DiscriminatorConfig): void {
  for (const field of ['height', 'width', 'inChannels', 'baseChannels', 'downLayers', 'kernel'] as const) {
    if (!Number.isInteger(config[field]) || config[field] < 1) {
      throw new ConfigError(`discriminator config field '${field}': expected a positive integer, got ${JSON.stringify(config[field])}`);
    }
  }
  const shape = discriminatorOutputShape(config);
  if (shape[0] < 1 || shape[1] < 1) {
    throw new ConfigError(
      `discriminator config: image size ${config.width}x${config.height} is too small for ${config.downLayers} stride-2 layers (patch map ${shape[1]}x${shape[0]})`,
    );
  }
}

/**
 * Which part of the generator a layer belongs to; LoRA goes on every group except the ResNet blocks and the
 * FiLM projections (concept tokens, which are trained per concept, already steer those).
 */
export type LayerGroup = 'down-stage' | 'down-layer' | 'transformer' | 'up-layer' | 'res-block' | 'up-stage' | 'colour-head' | 'film';
export const LORA_GROUPS: readonly LayerGroup[] = ['down-stage', 'down-layer', 'transformer', 'up-layer', 'up-stage', 'colour-head'];

/** One conv or linear projection with a weight matrix: the unit of MAC counting and LoRA placement. */
export interface LayerSpec {
  /** Scope of the layer, e.g. 'generator.down.0.conv'; its weight is `${name}.weight`. */
  readonly name: string;
  readonly kind: 'conv' | 'linear';
  readonly group: LayerGroup;
  readonly inChannels: number;
  readonly outChannels: number;
  /** conv only */
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  /** Spatial size of the layer's input (conv) or number of rows it is applied to (linear: `positions`). */
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** Rows (tokens) a linear layer sees per image; for conv, outHeight*outWidth. */
  readonly positions: number;
  readonly bias: boolean;
  /** A norm (InstanceNorm for convs, LayerNorm inputs for linears) follows with its own scale+bias. */
  readonly normAfter: boolean;
}

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

function convOut(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function conv(
  name: string,
  group: LayerGroup,
  inChannels: number,
  outChannels: number,
  size: { h: number; w: number },
  options: { kernel: number; stride: number; bias?: boolean; normAfter?: boolean; padding?: number },
): LayerSpec {
  const padding = options.padding ?? Math.floor(options.kernel / 2);
  const outHeight = convOut(size.h, options.kernel, options.stride, padding);
  const outWidth = convOut(size.w, options.kernel, options.stride, padding);
  return {
    name,
    kind: 'conv',
    group,
    inChannels,
    outChannels,
    kernel: options.kernel,
    stride: options.stride,
    padding,
    inHeight: size.h,
    inWidth: size.w,
    outHeight,
    outWidth,
    positions: outHeight * outWidth,
    bias: options.bias ?? false,
    normAfter: options.normAfter ?? true,
  };
}

function linear(name: string, inChannels: number, outChannels: number, positions: number, group: LayerGroup = 'transformer'): LayerSpec {
  return {
    name,
    kind: 'linear',
    group,
    inChannels,
    outChannels,
    kernel: 1,
    stride: 1,
    padding: 0,
    inHeight: positions,
    inWidth: 1,
    outHeight: positions,
    outWidth: 1,
    positions,
    bias: true,
    normAfter: false,
  };
}

/** Every weight-bearing layer of the generator, in forward order. The graph builder emits exactly these. */
export function generatorLayers(config: GeneratorConfig): LayerSpec[] {
  validateGeneratorConfig(config);
  const layers: LayerSpec[] = [];
  let size = { h: config.height, w: config.width };
  const push = (layer: LayerSpec): LayerSpec => {
    layers.push(layer);
    size = { h: layer.outHeight, w: layer.outWidth };
    return layer;
  };
  push(conv('generator.stem.conv', 'down-stage', config.inChannels, config.stemChannels, size, { kernel: config.stemKernel, stride: 1 }));
  let channels = config.stemChannels;
  config.downChannels.forEach((out, i) => {
    push(conv(`generator.down.${i}.conv`, 'down-stage', channels, out, size, { kernel: 3, stride: 2 }));
    channels = out;
  });
  const resBlock = (scope: string): void => {
    push(conv(`${scope}.conv1`, 'res-block', channels, channels, size, { kernel: 3, stride: 1 }));
    push(conv(`${scope}.conv2`, 'res-block', channels, channels, size, { kernel: 3, stride: 1 }));
  };
  for (let i = 0; i < config.resBlocksBefore; i++) resBlock(`generator.res_down.${i}`);
  push(conv('generator.down_layer.conv', 'down-layer', channels, config.modelChannels, size, { kernel: 3, stride: 2 }));
  const tokens = size.h * size.w;
  const d = config.modelChannels;
  for (const p of ['q', 'k', 'v', 'out']) layers.push(linear(`generator.transformer.self_attn.${p}`, d, d, tokens));
  layers.push(linear('generator.transformer.cross_attn.q', d, d, tokens));
  layers.push(linear('generator.transformer.cross_attn.k', config.tokenDim, d, config.conceptTokens));
  layers.push(linear('generator.transformer.cross_attn.v', config.tokenDim, d, config.conceptTokens));
  layers.push(linear('generator.transformer.cross_attn.out', d, d, tokens));
  layers.push(linear('generator.transformer.ffn.fc1', d, d * config.ffnMultiplier, tokens));
  layers.push(linear('generator.transformer.ffn.fc2', d * config.ffnMultiplier, d, tokens));
  // Up-sampling = nearest 2x resize then a 3x3 conv (no checkerboard artefacts, and Resize runs on every phone runtime).
  const upsampled = (): { h: number; w: number } => ({ h: size.h * 2, w: size.w * 2 });
  const lastDown = config.downChannels[config.downChannels.length - 1]!;
  size = upsampled();
  const film = (layer: LayerSpec): void => {
    if (config.tokenFilm) layers.push(linear(filmLayerOf(layer.name), config.tokenDim, 2 * layer.outChannels, 1, 'film'));
  };
  film(push(conv('generator.up_layer.conv', 'up-layer', d, lastDown, size, { kernel: 3, stride: 1 })));
  channels = lastDown;
  for (let i = 0; i < config.resBlocksAfter; i++) {
    const scope = `generator.res_up.${i}`;
    film(push(conv(`${scope}.conv1`, 'res-block', channels, channels, size, { kernel: 3, stride: 1 })));
    film(push(conv(`${scope}.conv2`, 'res-block', channels, channels, size, { kernel: 3, stride: 1 })));
  }
  if (config.head === 'colour-matrix') {
    const head = conv(COLOUR_HEAD_LAYER, 'colour-head', channels, COLOUR_HEAD_CHANNELS, size, { kernel: 3, stride: 1, bias: true, normAfter: false });
    layers.push(head);
    if (config.tokenFilm) layers.push(linear(COLOUR_FILM_LAYER, config.tokenDim, COLOUR_HEAD_CHANNELS, 1, 'film'));
  }
  const upChannels = [...config.downChannels.slice(0, -1)].reverse().concat(config.stemChannels);
  upChannels.forEach((out, i) => {
    size = upsampled();
    film(push(conv(`generator.up.${i}.conv`, 'up-stage', channels, out, size, { kernel: 3, stride: 1 })));
    channels = out;
  });
  push(conv('generator.out.conv', 'up-stage', channels, config.outChannels, size, { kernel: config.stemKernel, stride: 1, bias: true, normAfter: false }));
  if (config.inputSkip) push(conv('generator.skip.conv', 'up-stage', config.inChannels, config.outChannels, size, { kernel: 1, stride: 1, normAfter: false }));
  return layers;
}

/** Colour-matrix head: 9 matrix entries + 3 offsets per position, predicted at the decoder's 1/4-res stage. */
export const COLOUR_HEAD_LAYER = 'generator.colour.conv';
export const COLOUR_FILM_LAYER = 'generator.colour.film';
export const COLOUR_HEAD_CHANNELS = 12;

/** The FiLM projection of a decoder conv's norm: generator.up.0.conv -> generator.up.0.conv.film. */
export function filmLayerOf(convLayer: string): string {
  return `${convLayer}.film`;
}

function layerParameters(layer: LayerSpec): ParameterSpec[] {
  const params: ParameterSpec[] = [];
  if (layer.kind === 'conv') {
    params.push({ name: `${layer.name}.weight`, shape: [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel] });
  } else {
    // Stored [in, out] so the forward pass is x @ W without a transpose.
    params.push({ name: `${layer.name}.weight`, shape: [layer.inChannels, layer.outChannels] });
  }
  if (layer.bias) params.push({ name: `${layer.name}.bias`, shape: [layer.outChannels] });
  return params;
}

/** The scope of the norm following a conv: generator.down.0.conv -> generator.down.0.norm (conv1 -> norm1). */
export function normScopeOf(layerName: string): string {
  return layerName.replace(/\.conv(\d*)$/, '.norm$1');
}

/** Every trainable-or-frozen tensor of the generator (concept tokens excluded: they belong to a concept). */
export function generatorParameters(config: GeneratorConfig): ParameterSpec[] {
  const params: ParameterSpec[] = [];
  for (const layer of generatorLayers(config)) {
    if (layer.name === 'generator.transformer.self_attn.q') {
      params.push(
        { name: 'generator.transformer.norm1.scale', shape: [config.modelChannels] },
        { name: 'generator.transformer.norm1.bias', shape: [config.modelChannels] },
      );
    }
    if (layer.name === 'generator.transformer.cross_attn.q') {
      params.push(
        { name: 'generator.transformer.norm2.scale', shape: [config.modelChannels] },
        { name: 'generator.transformer.norm2.bias', shape: [config.modelChannels] },
      );
    }
    if (layer.name === 'generator.transformer.ffn.fc1') {
      params.push(
        { name: 'generator.transformer.norm3.scale', shape: [config.modelChannels] },
        { name: 'generator.transformer.norm3.bias', shape: [config.modelChannels] },
      );
    }
    params.push(...layerParameters(layer));
    if (layer.kind === 'conv' && layer.normAfter) {
      const norm = normScopeOf(layer.name);
      params.push({ name: `${norm}.scale`, shape: [layer.outChannels] }, { name: `${norm}.bias`, shape: [layer.outChannels] });
    }
  }
  return params;
}

export function conceptTokensShape(config: GeneratorConfig): [number, number] {
  return [config.conceptTokens, config.tokenDim];
}

export function countParameters(params: readonly ParameterSpec[]): number {
  return params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Multiply-accumulates of one layer's weight product per image (norms, activations and adds not counted). */
export function layerMacs(layer: LayerSpec): number {
  const perPosition = layer.kind === 'conv' ? layer.inChannels * layer.kernel * layer.kernel * layer.outChannels : layer.inChannels * layer.outChannels;
  return perPosition * layer.positions;
}

/** Attention score and value products per image: QK^T and AV for self- and cross-attention. */
export function attentionMacs(config: GeneratorConfig): number {
  const tokens = (config.height / totalStride(config)) * (config.width / totalStride(config));
  const d = config.modelChannels;
  return 2 * tokens * tokens * d + 2 * tokens * config.conceptTokens * d;
}

export function generatorMacs(config: GeneratorConfig, lora: readonly LoraPlacement[] = []): number {
  const layers = generatorLayers(config);
  const base = layers.reduce((n, layer) => n + layerMacs(layer), 0) + attentionMacs(config);
  const byName = new Map(layers.map((l) => [l.name, l]));
  // Unmerged LoRA adds a parallel branch: x -> A (rank r, same kernel/stride) -> B (1x1 to out channels).
  const branch = lora.reduce((n, p) => {
    const layer = byName.get(p.layer);
    if (!layer) throw new ConfigError(`LoRA placement names unknown layer '${p.layer}'`);
    const perPosition =
      layer.kind === 'conv' ? p.rank * (layer.inChannels * layer.kernel * layer.kernel + layer.outChannels) : p.rank * (layer.inChannels + layer.outChannels);
    return n + perPosition * layer.positions;
  }, 0);
  return base + branch;
}

export interface ModelSummary {
  readonly parameters: number;
  readonly conceptTokenParameters: number;
  readonly macs: number;
  readonly loraParameters: number;
  readonly loraLayers: number;
}

export function generatorSummary(config: GeneratorConfig, lora: readonly LoraPlacement[] = []): ModelSummary {
  const [t, d] = conceptTokensShape(config);
  return {
    parameters: countParameters(generatorParameters(config)),
    conceptTokenParameters: t * d,
    macs: generatorMacs(config),
    loraParameters: loraParameterCount(config, lora),
    loraLayers: lora.filter((p) => p.rank > 0).length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// LoRA placement

export interface LoraPlacement {
  readonly layer: string;
  /** Name of the frozen weight the branch wraps. */
  readonly weight: string;
  readonly group: LayerGroup;
  readonly rank: number;
  /** Branch scale is alpha / rank (alpha = rank gives scale 1, so ranks can change without retuning lr). */
  readonly alpha: number;
}

/** Ranks: one number for every eligible layer, or a per-layer map (layers absent from the map get rank 0). */
export type RankSpec = number | Readonly<Record<string, number>>;

export function loraEligibleLayers(config: GeneratorConfig): LayerSpec[] {
  return generatorLayers(config).filter((layer) => LORA_GROUPS.includes(layer.group));
}

export function loraPlacement(config: GeneratorConfig, ranks: RankSpec, alpha?: number): LoraPlacement[] {
  const eligible = loraEligibleLayers(config);
  if (typeof ranks !== 'number') {
    const known = new Set(eligible.map((l) => l.name));
    for (const [name, rank] of Object.entries(ranks)) {
      if (!known.has(name)) {
        const frozen = generatorLayers(config).some((l) => l.name === name);
        throw new ConfigError(frozen ? `LoRA rank given for '${name}', a ResNet-block layer that stays frozen` : `LoRA rank given for unknown layer '${name}'`);
      }
      if (!Number.isInteger(rank) || rank < 0) throw new ConfigError(`LoRA rank for '${name}': expected an integer >= 0, got ${rank}`);
    }
  } else if (!Number.isInteger(ranks) || ranks < 0) {
    throw new ConfigError(`LoRA rank: expected an integer >= 0, got ${ranks}`);
  }
  return eligible
    .map((layer) => {
      const requested = typeof ranks === 'number' ? ranks : (ranks[layer.name] ?? 0);
      // A rank above min(in, out) adds parameters without adding expressiveness.
      const rank = Math.min(requested, maxLoraRank(layer));
      return { layer: layer.name, weight: `${layer.name}.weight`, group: layer.group, rank, alpha: alpha ?? rank };
    })
    .filter((p) => p.rank > 0);
}

export function maxLoraRank(layer: LayerSpec): number {
  return layer.kind === 'conv' ? Math.min(layer.inChannels * layer.kernel * layer.kernel, layer.outChannels) : Math.min(layer.inChannels, layer.outChannels);
}

/**
 * LoRA tensor shapes. Conv: A is a conv with the layer's kernel and stride (in -> r), B a 1x1 conv (r -> out);
 * merged weight W0 + (alpha/r) * B·A. Linear (x @ W, W [in, out]): A [in, r], B [r, out]; merged W0 + s·A@B.
 */
export function loraParameterShapes(layer: LayerSpec, rank: number): { a: number[]; b: number[] } {
  return layer.kind === 'conv'
    ? { a: [rank, layer.inChannels, layer.kernel, layer.kernel], b: [layer.outChannels, rank, 1, 1] }
    : { a: [layer.inChannels, rank], b: [rank, layer.outChannels] };
}

export function loraParameterCount(config: GeneratorConfig, placement: readonly LoraPlacement[]): number {
  const byName = new Map(generatorLayers(config).map((l) => [l.name, l]));
  return placement.reduce((n, p) => {
    const layer = byName.get(p.layer);
    if (!layer) throw new ConfigError(`LoRA placement names unknown layer '${p.layer}'`);
    const { a, b } = loraParameterShapes(layer, p.rank);
    return n + a.reduce((x, y) => x * y, 1) + b.reduce((x, y) => x * y, 1);
  }, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Discriminator

/** PatchGAN: conv(s2, no norm) + LeakyReLU, then (downLayers-1) conv(s2)+IN+LReLU, conv(s1)+IN+LReLU, conv(s1) -> 1. */
export function discriminatorLayers(config: DiscriminatorConfig): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let size = { h: config.height, w: config.width };
  let channels = config.inChannels;
  const k = config.kernel;
  const push = (layer: LayerSpec): void => {
    layers.push(layer);
    size = { h: layer.outHeight, w: layer.outWidth };
    channels = layer.outChannels;
  };
  // Classic PatchGAN padding of 1 with 4x4 kernels.
  const padding = 1;
  for (let i = 0; i < config.downLayers; i++) {
    const out = config.baseChannels * 2 ** Math.min(i, 3);
    push(conv(`discriminator.layers.${i}.conv`, 'down-stage', channels, out, size, { kernel: k, stride: 2, padding, bias: i === 0, normAfter: i !== 0 }));
  }
  push(
    conv(`discriminator.layers.${config.downLayers}.conv`, 'down-stage', channels, config.baseChannels * 2 ** Math.min(config.downLayers, 3), size, {
      kernel: k,
      stride: 1,
      padding,
      normAfter: true,
    }),
  );
  push(
    conv(`discriminator.layers.${config.downLayers + 1}.conv`, 'down-stage', channels, 1, size, {
      kernel: k,
      stride: 1,
      padding,
      bias: true,
      normAfter: false,
    }),
  );
  return layers;
}

export function discriminatorParameters(config: DiscriminatorConfig): ParameterSpec[] {
  return discriminatorLayers(config).flatMap((layer) => {
    const params = layerParameters(layer);
    if (layer.normAfter) {
      const norm = normScopeOf(layer.name);
      params.push({ name: `${norm}.scale`, shape: [layer.outChannels] }, { name: `${norm}.bias`, shape: [layer.outChannels] });
    }
    return params;
  });
}

/** [height, width] of the patch logit map. */
export function discriminatorOutputShape(config: DiscriminatorConfig): [number, number] {
  let h = config.height;
  let w = config.width;
  for (let i = 0; i < config.downLayers; i++) {
    h = convOut(h, config.kernel, 2, 1);
    w = convOut(w, config.kernel, 2, 1);
  }
  for (let i = 0; i < 2; i++) {
    h = convOut(h, config.kernel, 1, 1);
    w = convOut(w, config.kernel, 1, 1);
  }
  return [h, w];
}

export function discriminatorMacs(config: DiscriminatorConfig): number {
  return discriminatorLayers(config).reduce((n, layer) => n + layerMacs(layer), 0);
}
