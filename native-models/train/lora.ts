/**
 * LoRA as a graph transform: copies a GraphBuilder's graph into a new builder and gives chosen frozen
 * Conv / MatMul / Gemm weights a parallel low-rank branch, y = op(x, W0) + (alpha / r) * branch(x).
 * W0 stays an initializer (ORT's fast conv path wants constant weights); A and B are trainable graph
 * inputs; B starts at zero so the wrapped net initially computes exactly what the source net did.
 *
 * Factor layouts (the branch computes x·ΔW without ever forming ΔW):
 * - Conv, W0 [out, in, k...]: A [r, in, k...] (a conv with the layer's stride/pads/dilations), B [out, r, 1...]
 *   (a 1x1 conv); ΔW = B·A over the flattened kernels.
 * - MatMul, W0 [in, out]: A [in, r], B [r, out]; ΔW = A·B.
 * - Gemm, W0 [in, out] (transB = 0): as MatMul; W0 [out, in] (transB = 1): A [r, in], B [out, r], ΔW = B·A.
 */
import { GraphBuilder, type GraphNode, type Value } from '../graph';
import { createRng } from '../util/rng';
import { convWeightGradient, type Conv2dGeometry } from '../autodiff';
import type { GradientShortcut } from './compile';

export type LoraOp = 'Conv' | 'MatMul' | 'Gemm';

export interface LoraTarget {
  /** Name of the frozen weight initializer to wrap, e.g. 'generator.down.0.conv.weight'. */
  weight: string;
  rank: number;
  /** Defaults to the transform's alpha (which defaults to the rank, i.e. scale 1). */
  alpha?: number;
}

export interface LoraOptions {
  targets: readonly LoraTarget[];
  alpha?: number;
  /**
   * How the conv down-projection A is emitted for stride-1 convs. 'conv' (default): a plain Conv; pair it
   * with gradientShortcuts() for a fast dA. 'gemm-taps': one GEMM of all taps' weights against the unpadded
   * input, then shifted adds of the narrow rank-r results (no im2col of the wide input; its autodiff
   * gradients are GEMMs too). Both cost the same CPU time in bench:train-step; 'conv' has ~30% fewer nodes.
   */
  convBranch?: 'gemm-taps' | 'conv';
  /** Seed for A's initial values (B starts at zero). */
  seed?: number;
}

/** Everything needed to merge a trained branch back into W0 (plain data, safe to store or send). */
export interface LoraLayerSpec {
  weight: string;
  op: LoraOp;
  /** 'conv' | 'in-out' (ΔW = A·B) | 'out-in' (ΔW = B·A, W0 [out, in]). */
  layout: 'conv' | 'in-out' | 'out-in';
  rank: number;
  alpha: number;
  scale: number;
  weightShape: number[];
  aName: string;
  bName: string;
  aShape: number[];
  bShape: number[];
}

export interface LoraLayer extends LoraLayerSpec {
  a: Value;
  b: Value;
  /** Each Conv this weight feeds: its input and the A-conv output (before scaling), for gradient shortcuts. */
  convUses: { x: Value; down: Value; geometry: ConvGeometry }[];
}

/** A wrapped conv's strides, pads ([top, left, bottom, right] in 2-D) and dilations, as its node has them. */
export interface ConvGeometry {
  strides: number[];
  pads: number[];
  dilations: number[];
}

/** 2-D, stride 1, dilation 1: the convs the gemm-taps branch and the shifted-dY gradient shortcut take. */
function stride1Conv2d(geometry: ConvGeometry): boolean {
  return geometry.strides.length === 2 && geometry.strides.every((s) => s === 1) && geometry.dilations.every((d) => d === 1);
}

export interface LoraGraph {
  builder: GraphBuilder;
  layers: LoraLayer[];
  /** The copy of a value of the source graph in the new graph. */
  map(value: Value): Value;
  /**
   * Faster gradients for conv A factors (stride 1), to pass to compileTrainStep: dA from the gradient of the
   * A-conv output by shifted copies of the narrow dY (the autodiff's 'shifts' conv weight-gradient) instead of
   * the generic per-tap slices of the wide input.
   */
  gradientShortcuts(): GradientShortcut[];
}

const WEIGHT_OPS: ReadonlySet<string> = new Set(['Conv', 'MatMul', 'Gemm']);

/** Every frozen weight a Conv/MatMul/Gemm reads (input 1), in graph order: handy for "LoRA on every conv". */
export function loraCandidates(source: GraphBuilder, ops: readonly LoraOp[] = ['Conv', 'MatMul', 'Gemm']): { weight: string; op: LoraOp; shape: number[] }[] {
  const found: { weight: string; op: LoraOp; shape: number[] }[] = [];
  const seen = new Set<string>();
  for (const node of source.nodes) {
    if (!(ops as readonly string[]).includes(node.opType)) continue;
    const w = node.inputs[1];
    if (!w || source.valueInfo(w).kind !== 'initializer' || seen.has(w.name)) continue;
    seen.add(w.name);
    found.push({ weight: w.name, op: node.opType as LoraOp, shape: [...w.shape] });
  }
  return found;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function describeTarget(
  node: GraphNode,
  weight: Value,
): { op: LoraOp; layout: LoraLayerSpec['layout']; aShape: number[]; bShape: number[]; rankLimit: number } {
  const shape = [...weight.shape];
  if (node.opType === 'Conv') {
    if (node.int('group', 1) !== 1)
      throw new Error(`LoRA: ${node} wraps '${weight.name}' with group=${node.int('group', 1)}; only group=1 convs are supported`);
    const [out, inp, ...kernel] = shape as [number, number, ...number[]];
    return {
      op: 'Conv',
      layout: 'conv',
      aShape: [0, inp, ...kernel],
      bShape: [out, 0, ...kernel.map(() => 1)],
      rankLimit: Math.min(out, inp * product(kernel)),
    };
  }
  if (weight.rank !== 2) throw new Error(`LoRA: ${node} weight '${weight.name}' must be 2-D, got [${shape.join(', ')}]`);
  const [rows, cols] = shape as [number, number];
  if (node.opType === 'Gemm' && node.int('transB', 0) === 1) {
    return { op: 'Gemm', layout: 'out-in', aShape: [0, cols], bShape: [rows, 0], rankLimit: Math.min(rows, cols) };
  }
  return { op: node.opType as LoraOp, layout: 'in-out', aShape: [rows, 0], bShape: [0, cols], rankLimit: Math.min(rows, cols) };
}

function withRank(shape: number[], rank: number): number[] {
  return shape.map((d) => (d === 0 ? rank : d));
}

/** Raw bytes of a source initializer/constant as a typed array the builder accepts. */
function tensorBytes(source: GraphBuilder, v: Value): Uint8Array {
  const proto = source.constantData(v);
  if (!proto?.rawData) throw new Error(`LoRA: tensor '${v.name}' has no inline data`);
  return proto.rawData.slice();
}

export function applyLora(source: GraphBuilder, options: LoraOptions): LoraGraph {
  const targets = new Map<string, LoraTarget>();
  for (const t of options.targets) {
    if (!Number.isInteger(t.rank) || t.rank < 1) throw new Error(`LoRA target '${t.weight}': rank must be an integer >= 1, got ${t.rank}`);
    if (targets.has(t.weight)) throw new Error(`LoRA target '${t.weight}' listed twice`);
    targets.set(t.weight, t);
  }
  const rng = createRng(options.seed ?? 0x10a);
  const builder = new GraphBuilder(source.name, { opset: source.opset });
  const copies = new Map<Value, Value>();
  const layers: LoraLayer[] = [];
  const wrapped = new Map<string, LoraLayer>();

  for (const input of source.inputs) {
    const copy = source.isTrainable(input)
      ? builder.parameter(input.name, source.initialValue(input), input.shape, { trainable: true, dtype: input.dtype })
      : builder.input(input.name, input.dtype, input.shape);
    copies.set(input, copy);
  }
  const copyOf = (v: Value): Value => {
    const known = copies.get(v);
    if (known) return known;
    const kind = source.valueInfo(v).kind;
    let copy: Value;
    if (kind === 'initializer') copy = builder.initializer(v.name, tensorBytes(source, v), v.shape, v.dtype);
    else if (kind === 'constant') copy = builder.constant(tensorBytes(source, v), v.shape, v.dtype);
    else throw new Error(`LoRA: value '${v.name}' (${kind}) used before it was produced`);
    copies.set(v, copy);
    return copy;
  };

  for (const node of source.nodes) {
    const inputs = node.inputs.map((v) => (v ? copyOf(v) : null));
    const weight = node.inputs[1];
    const target = WEIGHT_OPS.has(node.opType) && weight ? targets.get(weight.name) : undefined;
    if (!target || !weight) {
      const outs = builder.emit(
        node.opType,
        inputs,
        [...node.attributes],
        node.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape })),
        {
          domain: node.domain,
          outputNames: node.outputs.map((o) => o.name),
        },
      );
      node.outputs.forEach((o, i) => copies.set(o, outs[i]!));
      continue;
    }
    if (source.valueInfo(weight).kind !== 'initializer') {
      throw new Error(
        `LoRA target '${weight.name}' is not a frozen initializer (it is a ${source.valueInfo(weight).kind}${source.isTrainable(weight) ? ', trainable' : ''})`,
      );
    }
    const output = node.outputs[0]!;
    const base = builder.emit(node.opType, inputs, [...node.attributes], [{ dtype: output.dtype, shape: output.shape }], {
      domain: node.domain,
      outputNames: [`${output.name}.base`],
    })[0]!;
    let layer = wrapped.get(weight.name);
    if (!layer) {
      layer = createLayer(builder, node, weight, target, options.alpha, rng);
      wrapped.set(weight.name, layer);
      layers.push(layer);
    }
    const branch = builder.scope(`${weight.name}.lora`, () => emitBranch(builder, node, inputs[0]!, layer!, options.convBranch ?? 'conv'));
    // The sum takes the wrapped output's own name: an auto-generated one could collide with a name the source
    // graph generated and that is copied over verbatim later (e.g. a residual Add).
    const sum = builder.emit('Add', [base, branch], [], [{ dtype: output.dtype, shape: output.shape }], { outputNames: [output.name] })[0]!;
    copies.set(output, sum);
  }

  const missing = [...targets.keys()].filter((name) => !wrapped.has(name));
  if (missing.length) {
    const candidates = loraCandidates(source).map((c) => c.weight);
    throw new Error(`LoRA targets not found as Conv/MatMul/Gemm weights: ${missing.join(', ')} (candidates: ${candidates.join(', ') || 'none'})`);
  }
  for (const output of source.outputs) builder.output(copyOf(output), output.name);
  return {
    builder,
    layers,
    gradientShortcuts: () => convShortcuts(builder, layers),
    map: (value) => {
      const copy = copies.get(value);
      if (!copy) throw new Error(`LoRA: '${value.name}' has no copy in the transformed graph`);
      return copy;
    },
  };
}

function createLayer(
  builder: GraphBuilder,
  node: GraphNode,
  weight: Value,
  target: LoraTarget,
  defaultAlpha: number | undefined,
  rng: ReturnType<typeof createRng>,
): LoraLayer {
  const info = describeTarget(node, weight);
  if (target.rank > info.rankLimit) {
    throw new Error(`LoRA target '${weight.name}' [${weight.shape.join(', ')}]: rank ${target.rank} exceeds the full rank ${info.rankLimit}`);
  }
  const rank = target.rank;
  const alpha = target.alpha ?? defaultAlpha ?? rank;
  const aShape = withRank(info.aShape, rank);
  const bShape = withRank(info.bShape, rank);
  // Kaiming-uniform-style bound on A's fan-in keeps the branch's activations on the scale of the layer's.
  const fanIn = info.layout === 'in-out' ? aShape[0]! : product(aShape.slice(1));
  const bound = 1 / Math.sqrt(fanIn);
  const aData = Float32Array.from({ length: product(aShape) }, () => rng.range(-bound, bound));
  const a = builder.parameter(`${weight.name}.lora_a`, aData, aShape, { trainable: true });
  const b = builder.parameter(`${weight.name}.lora_b`, new Float32Array(product(bShape)), bShape, { trainable: true });
  return {
    weight: weight.name,
    op: info.op,
    layout: info.layout,
    rank,
    alpha,
    scale: alpha / rank,
    weightShape: [...weight.shape],
    aName: a.name,
    bName: b.name,
    aShape,
    bShape,
    a,
    b,
    convUses: [],
  };
}

/** The scale multiplies the narrow rank-r tensor, not the wide output: r/C_out of the memory traffic. */
function scaled(builder: GraphBuilder, narrow: Value, scale: number): Value {
  return scale === 1 ? narrow : builder.mul(narrow, scale);
}

/**
 * down = Conv(x, A) for stride 1 / dilation 1 without im2col: Y = A_taps [kh·kw·r, C_in] · x [N, C_in, H·W]
 * (one GEMM reading x once), then down = Σ_taps Y_tap shifted by the tap offset (crop + zero-pad of rank-r
 * tensors). The autodiff turns this into GEMMs and narrow slices/pads as well.
 */
function gemmTapsDown(builder: GraphBuilder, x: Value, a: Value, geometry: ConvGeometry): Value {
  const [n, cin, h, w] = x.shape as [number, number, number, number];
  const [r, , kh, kw] = a.shape as [number, number, number, number];
  const [top, left, bottom, right] = geometry.pads as [number, number, number, number];
  const ho = h + top + bottom - kh + 1;
  const wo = w + left + right - kw + 1;
  const taps = builder.reshape(builder.transpose(a, [2, 3, 0, 1]), [kh * kw * r, cin]);
  const y = builder.reshape(builder.matmul(taps, builder.reshape(x, [n, cin, h * w])), [n, kh * kw * r, h, w]);
  const perTap = kh * kw === 1 ? [y] : builder.split(y, new Array(kh * kw).fill(r), 1);
  let down: Value | null = null;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Output (oh, ow) reads input (oh + i - top, ow + j - left): crop the valid rows/cols, then place them.
      const [dh, dw] = [i - top, j - left];
      const [h0, h1] = [Math.max(0, dh), Math.min(h, ho + dh)];
      const [w0, w1] = [Math.max(0, dw), Math.min(w, wo + dw)];
      if (h1 <= h0 || w1 <= w0) continue;
      let tap = perTap[i * kw + j]!;
      if (h0 > 0 || w0 > 0 || h1 < h || w1 < w) tap = builder.slice(tap, { starts: [h0, w0], ends: [h1, w1], axes: [2, 3] });
      const [oh0, ow0] = [h0 - dh, w0 - dw];
      const pads = [0, 0, oh0, ow0, 0, 0, ho - oh0 - (h1 - h0), wo - ow0 - (w1 - w0)];
      if (pads.some((p) => p !== 0)) tap = builder.pad(tap, pads);
      down = down ? builder.add(down, tap) : tap;
    }
  }
  if (!down) throw new Error(`LoRA: conv A [${a.shape.join(', ')}] never overlaps input [${x.shape.join(', ')}]`);
  return down;
}

function emitBranch(builder: GraphBuilder, node: GraphNode, x: Value, layer: LoraLayer, convBranch: 'gemm-taps' | 'conv'): Value {
  if (node.opType === 'Conv') {
    const spatial = layer.weightShape.length - 2;
    const geometry: ConvGeometry = {
      strides: node.ints('strides', new Array(spatial).fill(1)),
      pads: node.ints('pads', new Array(spatial * 2).fill(0)),
      dilations: node.ints('dilations', new Array(spatial).fill(1)),
    };
    if (convBranch === 'gemm-taps' && spatial === 2 && stride1Conv2d(geometry)) {
      const down = gemmTapsDown(builder, x, layer.a, geometry);
      return builder.conv(scaled(builder, down, layer.scale), layer.b, null);
    }
    const down = builder.conv(x, layer.a, null, geometry);
    layer.convUses.push({ x, down, geometry });
    return builder.conv(scaled(builder, down, layer.scale), layer.b, null);
  }
  if (node.opType === 'MatMul') return builder.matmul(scaled(builder, builder.matmul(x, layer.a), layer.scale), layer.b);
  // Gemm: the branch carries alpha but not beta/C, which the base Gemm already adds.
  const transA = node.int('transA', 0) === 1;
  const alpha = node.float('alpha', 1);
  const down = builder.gemm(x, layer.a, undefined, { transA, transB: layer.layout === 'out-in' });
  return builder.gemm(scaled(builder, down, layer.scale), layer.b, undefined, { transB: layer.layout === 'out-in', alpha });
}

function convShortcuts(builder: GraphBuilder, layers: readonly LoraLayer[]): GradientShortcut[] {
  const shortcuts: GradientShortcut[] = [];
  for (const layer of layers) {
    // Only plain-Conv A branches have uses; gemm-taps branches already get GEMM gradients from the autodiff.
    if (layer.op !== 'Conv' || layer.convUses.length === 0 || layer.weightShape.length !== 4) continue;
    if (!layer.convUses.every((use) => stride1Conv2d(use.geometry))) continue;
    const kernel: [number, number] = [layer.weightShape[2]!, layer.weightShape[3]!];
    shortcuts.push({
      param: layer.a,
      uses: layer.convUses.map((use) => ({
        via: use.down,
        compute: (gradDown: Value) => convWeightGradient(builder, use.x, gradDown, kernel, conv2dGeometry(use.geometry), 'shifts'),
      })),
    });
  }
  return shortcuts;
}

function conv2dGeometry(geometry: ConvGeometry): Conv2dGeometry {
  const [sh, sw] = geometry.strides as [number, number];
  const [dh, dw] = geometry.dilations as [number, number];
  const [top, left, bottom, right] = geometry.pads as [number, number, number, number];
  return { strides: [sh, sw], dilations: [dh, dw], pads: [top, left, bottom, right], group: 1 };
}

/** W0 + scale·ΔW for one layer, in W0's layout. */
export function mergeLoraWeight(layer: LoraLayerSpec, w0: Float32Array, a: Float32Array, b: Float32Array): Float32Array {
  const expect = (what: string, data: Float32Array, shape: number[]) => {
    if (data.length !== product(shape)) {
      throw new Error(`mergeLoraWeight('${layer.weight}'): ${what} has ${data.length} values, expected [${shape.join(', ')}]`);
    }
  };
  expect('W0', w0, layer.weightShape);
  expect('A', a, layer.aShape);
  expect('B', b, layer.bShape);
  const merged = Float32Array.from(w0);
  const r = layer.rank;
  if (layer.layout === 'in-out') {
    // W [in, out] += s · A[in, r] · B[r, out]
    const [rows, cols] = layer.weightShape as [number, number];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        for (let k = 0; k < r; k++) sum += a[i * r + k]! * b[k * cols + j]!;
        merged[i * cols + j]! += layer.scale * sum;
      }
    return merged;
  }
  // conv and out-in: W [out, inner] += s · B[out, r] · A[r, inner]
  const out = layer.weightShape[0]!;
  const inner = product(layer.weightShape) / out;
  for (let o = 0; o < out; o++)
    for (let j = 0; j < inner; j++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += b[o * r + k]! * a[k * inner + j]!;
      merged[o * inner + j]! += layer.scale * sum;
    }
  return merged;
}

/** Merges every layer: base weights by weight name, trained factors by A/B input name. */
export function mergeLoraWeights(
  layers: readonly LoraLayerSpec[],
  base: ReadonlyMap<string, Float32Array>,
  factors: Readonly<Record<string, Float32Array>>,
): Map<string, Float32Array> {
  const merged = new Map(base);
  for (const layer of layers) {
    const w0 = base.get(layer.weight);
    const a = factors[layer.aName];
    const b = factors[layer.bName];
    if (!w0 || !a || !b) {
      throw new Error(
        `mergeLoraWeights: '${layer.weight}' needs W0, ${layer.aName} and ${layer.bName} (missing: ${[!w0 && 'W0', !a && layer.aName, !b && layer.bName].filter(Boolean).join(', ')})`,
      );
    }
    merged.set(layer.weight, mergeLoraWeight(layer, w0, a, b));
  }
  return merged;
}

/** The plain-data part of the layers (drops the Value handles). */
export function loraLayerSpecs(layers: readonly LoraLayer[]): LoraLayerSpec[] {
  return layers.map(({ a: _a, b: _b, convUses: _uses, ...spec }) => spec);
}
