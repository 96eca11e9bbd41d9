import type { GraphBuilder, Value } from '../graph';
import {
  COLOUR_FILM_LAYER,
  COLOUR_HEAD_LAYER,
  conceptTokensShape,
  discriminatorLayers,
  filmLayerOf,
  generatorLayers,
  loraParameterShapes,
  normScopeOf,
  type DiscriminatorConfig,
  type GeneratorConfig,
  type LayerSpec,
  type LoraPlacement,
} from './config';
import { loraNames, loraScale } from './lora';

/**
 * Emits the E2GAN generator and the conditional PatchGAN discriminator into a GraphBuilder. Every weight is a
 * builder parameter named exactly as config.ts lists it, so LoRA placement, checkpoints and parameter counts
 * all agree on names. Frozen weights become initializers, trainable ones graph inputs (see `trainable`).
 */
export interface WeightSource {
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Which parameters are graph inputs (trained); the rest are baked in as constants. Default: none. */
  readonly trainable?: (name: string) => boolean;
  /**
   * Unmerged LoRA: a parallel low-rank branch next to each placed layer (frozen W0 stays a constant, which
   * ORT's fast conv path wants). Tensors live in `weights` under `${layer}.lora_a` / `.lora_b`.
   */
  readonly lora?: readonly LoraPlacement[];
  /**
   * How a full-rank LoRA (rank >= the layer's output channels) enters the graph: 'full-rank' (default) merges
   * it in the graph (one conv with W0 + s·B·A, cheaper); 'never' keeps the parallel branch (tests compare the two).
   */
  readonly mergeLora?: 'full-rank' | 'never';
}

export type ParameterRecorder = (name: string, shape: readonly number[]) => void;

class Params {
  private readonly lora: Map<string, LoraPlacement>;

  constructor(
    private readonly g: GraphBuilder,
    private readonly source: WeightSource,
    private readonly record?: ParameterRecorder,
    /** Values already created for a name (a network applied twice shares its parameters). */
    private readonly created: Map<string, Value> = new Map(),
  ) {
    this.lora = new Map((source.lora ?? []).filter((p) => p.rank > 0).map((p) => [p.layer, p]));
  }

  loraFor(layer: string): LoraPlacement | undefined {
    return this.lora.get(layer);
  }

  get mergesFullRankLora(): boolean {
    return (this.source.mergeLora ?? 'full-rank') === 'full-rank';
  }

  get(name: string, shape: readonly number[]): Value {
    const data = this.source.weights.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!data) throw new Error(`weights: missing '${name}' [${shape.join(', ')}]`);
    if (data.length !== size) throw new Error(`weights: '${name}' has ${data.length} values, expected [${shape.join(', ')}] = ${size}`);
    const existing = this.created.get(name);
    if (existing) return existing;
    this.record?.(name, shape);
    const value = this.g.parameter(name, data, [...shape], { trainable: this.source.trainable?.(name) ?? false });
    this.created.set(name, value);
    return value;
  }
}

function convLayer(g: GraphBuilder, p: Params, layer: LayerSpec, x: Value): Value {
  const w = p.get(`${layer.name}.weight`, [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel]);
  const b = layer.bias ? p.get(`${layer.name}.bias`, [layer.outChannels]) : null;
  const lora = p.loraFor(layer.name);
  if (lora && lora.rank >= layer.outChannels && p.mergesFullRankLora) {
    // A full-rank LoRA (rank >= output channels, e.g. the 7x7 output conv to 3 channels) costs as much as the
    // layer itself when run as a parallel branch. Merged in the graph it is one conv with W0 + s·B·A: the same
    // function and the same gradients for A and B (to float32 rounding), one full-resolution conv and one
    // input gradient fewer per step. Low-rank branches stay unmerged: there the frozen W0 keeps ORT's
    // prepacked conv path and the branch is cheaper than a dynamic full weight.
    const shapes = loraParameterShapes(layer, lora.rank);
    const names = loraNames(layer.name);
    const a = g.reshape(p.get(names.a, shapes.a), [lora.rank, layer.inChannels * layer.kernel * layer.kernel]);
    const bMatrix = g.reshape(p.get(names.b, shapes.b), [layer.outChannels, lora.rank]);
    const delta = g.reshape(g.matmul(bMatrix, a), [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel]);
    return g.conv(x, g.add(w, g.mul(delta, loraScale(lora))), b, { strides: layer.stride, pads: layer.padding });
  }
  const y = g.conv(x, w, b, { strides: layer.stride, pads: layer.padding });
  if (!lora) return y;
  const shapes = loraParameterShapes(layer, lora.rank);
  const names = loraNames(layer.name);
  const down = g.conv(x, p.get(names.a, shapes.a), null, { strides: layer.stride, pads: layer.padding });
  const up = g.conv(down, p.get(names.b, shapes.b), null, {});
  return g.add(y, g.mul(up, loraScale(lora)));
}

function instanceNorm(g: GraphBuilder, p: Params, layer: LayerSpec, x: Value): Value {
  const scope = normScopeOf(layer.name);
  return g.instanceNorm(x, p.get(`${scope}.scale`, [layer.outChannels]), p.get(`${scope}.bias`, [layer.outChannels]));
}

function linear(g: GraphBuilder, p: Params, layer: LayerSpec, x: Value): Value {
  const w = p.get(`${layer.name}.weight`, [layer.inChannels, layer.outChannels]);
  const b = p.get(`${layer.name}.bias`, [layer.outChannels]);
  const y = g.add(g.matmul(x, w), b);
  const lora = p.loraFor(layer.name);
  if (!lora) return y;
  const shapes = loraParameterShapes(layer, lora.rank);
  const names = loraNames(layer.name);
  const branch = g.matmul(g.matmul(x, p.get(names.a, shapes.a)), p.get(names.b, shapes.b));
  return g.add(y, g.mul(branch, loraScale(lora)));
}

function layerNorm(g: GraphBuilder, p: Params, scope: string, channels: number, x: Value): Value {
  return g.layerNorm(x, p.get(`${scope}.scale`, [channels]), p.get(`${scope}.bias`, [channels]));
}

/** [N, L, d] -> [N, heads, L, d/heads] */
function splitHeads(g: GraphBuilder, x: Value, heads: number): Value {
  const [n, l, d] = x.shape as [number, number, number];
  return g.transpose(g.reshape(x, [n, l, heads, d / heads]), [0, 2, 1, 3]);
}

function mergeHeads(g: GraphBuilder, x: Value): Value {
  const [n, h, l, dh] = x.shape as [number, number, number, number];
  return g.reshape(g.transpose(x, [0, 2, 1, 3]), [n, l, h * dh]);
}

function attention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number): Value {
  const qh = splitHeads(g, q, heads);
  const kh = splitHeads(g, k, heads);
  const vh = splitHeads(g, v, heads);
  const dh = qh.shape[3]!;
  // Scale q rather than the [L, L] score matrix: same result, L/dh times fewer multiplies.
  const scores = g.matmul(g.mul(qh, 1 / Math.sqrt(dh)), g.transpose(kh, [0, 1, 3, 2]));
  return mergeHeads(g, g.matmul(g.softmax(scores, -1), vh));
}

export interface GeneratorGraph {
  readonly output: Value;
}

/**
 * x: [N, inChannels, H, W] in [-1, 1]; tokens: [T, tokenDim] concept tokens (a trainable input while
 * training a concept, a constant at export). Returns [N, outChannels, H, W] in (-1, 1).
 */
export function buildGenerator(g: GraphBuilder, config: GeneratorConfig, x: Value, tokens: Value, source: WeightSource, record?: ParameterRecorder): Value {
  const [tokenCount, tokenDim] = conceptTokensShape(config);
  if (tokens.shape.length !== 2 || tokens.shape[0] !== tokenCount || tokens.shape[1] !== tokenDim) {
    throw new Error(`generator: concept tokens must be [${tokenCount}, ${tokenDim}], got [${tokens.shape.join(', ')}]`);
  }
  const expectedInput = [x.shape[0]!, config.inChannels, config.height, config.width];
  if (x.shape.join(',') !== expectedInput.join(',')) throw new Error(`generator: input must be [${expectedInput.join(', ')}], got [${x.shape.join(', ')}]`);
  const p = new Params(g, source, record);
  const layers = new Map(generatorLayers(config).map((l) => [l.name, l]));
  const layer = (name: string): LayerSpec => layers.get(`generator.${name}`)!;
  // The mean concept token, [1, tokenDim]: what FiLM conditions the decoder on.
  const pooled = config.tokenFilm ? g.reduceMean(tokens, [0]) : undefined;
  const film = (spec: LayerSpec, h: Value): Value => {
    if (!pooled) return h;
    const c = spec.outChannels;
    const filmSpec = layers.get(filmLayerOf(spec.name))!;
    const [gamma, beta] = g.split(g.reshape(linear(g, p, filmSpec, pooled), [1, 2 * c, 1, 1]), [c, c], 1) as [Value, Value];
    return g.add(g.mul(h, g.add(gamma, 1)), beta);
  };
  const convNormRelu = (name: string, h: Value, conditioned = false): Value => {
    const spec = layer(name);
    const normed = instanceNorm(g, p, spec, convLayer(g, p, spec, h));
    return g.relu(conditioned ? film(spec, normed) : normed);
  };
  const resBlock = (scope: string, h: Value, conditioned = false): Value => {
    const c1 = layer(`${scope}.conv1`);
    const c2 = layer(`${scope}.conv2`);
    const n1 = instanceNorm(g, p, c1, convLayer(g, p, c1, h));
    const inner = g.relu(conditioned ? film(c1, n1) : n1);
    const n2 = instanceNorm(g, p, c2, convLayer(g, p, c2, inner));
    return g.add(h, conditioned ? film(c2, n2) : n2);
  };
  const upsample = (h: Value): Value => g.resize(h, { scales: [1, 1, 2, 2], mode: 'nearest' });
  // Encoder features by resolution (full, 1/2, 1/4, ...), for the U-Net skips.
  const encoder: Value[] = [];

  let h = convNormRelu('stem.conv', x);
  encoder.push(h);
  config.downChannels.forEach((_, i) => {
    h = convNormRelu(`down.${i}.conv`, h);
    encoder.push(h);
  });
  for (let i = 0; i < config.resBlocksBefore; i++) h = resBlock(`res_down.${i}`, h);
  h = convNormRelu('down_layer.conv', h);
  h = transformerBlock(g, p, config, layer, h, tokens);
  const skip = (level: number, v: Value): Value => (config.unetSkips ? g.add(v, encoder[level]!) : v);
  const levels = config.downChannels.length;
  h = skip(levels, convNormRelu('up_layer.conv', upsample(h), true));
  for (let i = 0; i < config.resBlocksAfter; i++) h = resBlock(`res_up.${i}`, h, true);
  const colour = config.head === 'colour-matrix' ? colourHead(g, p, layers, h, pooled) : undefined;
  for (let i = 0; i < levels; i++) h = skip(levels - 1 - i, convNormRelu(`up.${i}.conv`, upsample(h), true));
  const residual = convLayer(g, p, layer('out.conv'), h);
  if (!colour) return g.tanh(config.inputSkip ? g.add(residual, convLayer(g, p, layer('skip.conv'), x)) : residual);
  // y = W·x + M(p)·x + b(p) + r(p): any global colour map is exact, and M, b can vary smoothly over the image.
  const [n, , height, width] = x.shape as [number, number, number, number];
  const upscale = 2 ** levels;
  const perPixel = g.resize(colour, { scales: [1, 1, upscale, upscale], mode: 'linear' });
  const [matrix, offset] = g.split(perPixel, [9, 3], 1) as [Value, Value];
  const mixed = g.reduceSum(g.mul(g.reshape(matrix, [n, 3, 3, height, width]), g.unsqueeze(x, [1])), [2], false);
  return g.add(g.add(convLayer(g, p, layer('skip.conv'), x), mixed), g.add(offset, residual));
}

/** The colour head's 12 channels (3x3 matrix + offset) at the decoder's 1/2^k stage, FiLM-shifted per concept. */
function colourHead(g: GraphBuilder, p: Params, layers: ReadonlyMap<string, LayerSpec>, features: Value, pooled: Value | undefined): Value {
  const head = convLayer(g, p, layers.get(COLOUR_HEAD_LAYER)!, features);
  if (!pooled) return head;
  const shift = linear(g, p, layers.get(COLOUR_FILM_LAYER)!, pooled);
  return g.add(head, g.reshape(shift, [1, head.shape[1]!, 1, 1]));
}

function transformerBlock(g: GraphBuilder, p: Params, config: GeneratorConfig, layer: (name: string) => LayerSpec, x: Value, tokens: Value): Value {
  const [n, d, hh, ww] = x.shape as [number, number, number, number];
  const scope = 'generator.transformer';
  let seq = g.transpose(g.reshape(x, [n, d, hh * ww]), [0, 2, 1]);
  const proj = (name: string, v: Value): Value => linear(g, p, layer(`transformer.${name}`), v);

  const a = layerNorm(g, p, `${scope}.norm1`, d, seq);
  seq = g.add(seq, proj('self_attn.out', attention(g, proj('self_attn.q', a), proj('self_attn.k', a), proj('self_attn.v', a), config.heads)));

  // Tokens are shared by the batch; adding them to a zero [N, T, D] tensor broadcasts them with an op whose
  // gradient (a sum over the batch) every autodiff rule set has.
  const [tokenCount, tokenDim] = tokens.shape as [number, number];
  const batchTokens = g.add(g.constant(new Float32Array(n * tokenCount * tokenDim), [n, tokenCount, tokenDim]), g.unsqueeze(tokens, [0]));
  const b = layerNorm(g, p, `${scope}.norm2`, d, seq);
  seq = g.add(
    seq,
    proj('cross_attn.out', attention(g, proj('cross_attn.q', b), proj('cross_attn.k', batchTokens), proj('cross_attn.v', batchTokens), config.heads)),
  );

  const c = layerNorm(g, p, `${scope}.norm3`, d, seq);
  seq = g.add(seq, proj('ffn.fc2', g.gelu(proj('ffn.fc1', c))));
  return g.reshape(g.transpose(seq, [0, 2, 1]), [n, d, hh, ww]);
}

/** Conditional PatchGAN: logits [N, 1, h, w] for (input, candidate output) pairs. */
export function buildDiscriminator(
  g: GraphBuilder,
  config: DiscriminatorConfig,
  input: Value,
  candidate: Value,
  source: WeightSource,
  record?: ParameterRecorder,
  /** Pass the same map to several calls to apply one discriminator to several pairs (real and fake). */
  shared: Map<string, Value> = new Map(),
  /** Receives the activation after each hidden layer (for the feature-matching loss). */
  features?: Value[],
): Value {
  const p = new Params(g, source, record, shared);
  let h = g.concat([input, candidate], 1);
  if (h.shape[1] !== config.inChannels) throw new Error(`discriminator: input ⊕ output has ${h.shape[1]} channels, config expects ${config.inChannels}`);
  const layers = discriminatorLayers(config);
  layers.forEach((spec, i) => {
    h = convLayer(g, p, spec, h);
    if (spec.normAfter) h = instanceNorm(g, p, spec, h);
    if (i < layers.length - 1) {
      h = g.leakyRelu(h, 0.2);
      features?.push(h);
    }
  });
  return h;
}
