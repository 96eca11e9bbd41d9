/**
 * Typed ONNX graph builder: value handles, scoped names, static dtype + shape inference for every op it
 * emits, and deterministic bytes. Ops target the default domain at opset 17 (see DEFAULT_OPSET): ops that
 * only exist in later opsets (Gelu, GroupNormalization) are emitted as their decompositions.
 */
import { DEFAULT_OPSET, attr, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo, type TensorData } from '../onnx/helper';
import { encodeModel, encodeModelWithExternalData, type EncodedModelWithWeights } from '../onnx/encode';
import { ONNX_DATA_TYPE, type AttributeProto, type DType, type ModelProto, type TensorProto } from '../onnx/types';
import { float32ToFloat16Bits } from '../io/float16';
import { GraphNode } from './graph-node';
import {
  ShapeError,
  broadcastShapes,
  convOutputSize,
  convTransposeOutputSize,
  fmtShape,
  normalizeAxes,
  normalizeAxis,
  numel,
  resolveReshape,
  sliceAxisRange,
  type Shape,
} from './shape-inference';
import { Value, type ValueInfo, type ValueKind } from './value';

export type Operand = Value | number;

export interface ConvOptions {
  /** One number for every spatial axis, or one per axis. Default 1. */
  strides?: number | number[];
  /** One number for every side, or ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end]. Default 0. */
  pads?: number | number[];
  dilations?: number | number[];
  group?: number;
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: number | number[];
}

export interface ResizeOptions {
  /** Scale per axis (full rank, e.g. [1, 1, 2, 2]); give exactly one of scales / sizes. */
  scales?: number[];
  sizes?: number[];
  mode?: 'nearest' | 'linear' | 'cubic';
  coordinateTransformationMode?: 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_crop_and_resize';
  nearestMode?: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
}

export interface SliceOptions {
  starts: number[];
  ends: number[];
  axes?: number[];
  steps?: number[];
}

export interface GemmOptions {
  alpha?: number;
  beta?: number;
  transA?: boolean;
  transB?: boolean;
}

export interface BuildOptions {
  producerName?: string;
  docString?: string;
  metadata?: Record<string, string>;
  /** Drop nodes and initializers that no graph output depends on (default true). */
  prune?: boolean;
  /** Also write value_info (static shapes) for intermediate values (default false). */
  includeValueInfo?: boolean;
}

export interface ParameterOptions {
  /** Trainable parameters become graph inputs (fed each step); frozen ones stay initializers. */
  trainable: boolean;
  dtype?: DType;
}

const FLOAT_TYPES: ReadonlySet<DType> = new Set(['float32', 'float16', 'float64', 'bfloat16']);

function toTypedArray(dtype: DType, values: readonly number[]): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'float16':
      return Uint16Array.from(values.map(float32ToFloat16Bits));
    default:
      throw new Error(`constants of dtype ${dtype} must be given as a typed array`);
  }
}

function perAxis(where: string, name: string, value: number | number[] | undefined, count: number, fallback: number): number[] {
  if (value === undefined) return new Array(count).fill(fallback);
  if (typeof value === 'number') return new Array(count).fill(value);
  if (value.length !== count) throw new ShapeError(where, `${name} needs ${count} values, got [${value.join(', ')}]`);
  return [...value];
}

export class GraphBuilder {
  readonly opset: number;
  private readonly scopes: string[] = [];
  private readonly nodeList: GraphNode[] = [];
  private readonly inputList: Value[] = [];
  private readonly outputList: Value[] = [];
  private readonly kinds = new Map<Value, ValueKind>();
  private readonly tensors = new Map<Value, TensorProto>();
  private readonly producers = new Map<Value, GraphNode>();
  private readonly trainableSet = new Set<Value>();
  private readonly initialValues = new Map<Value, TensorData>();
  private readonly constCache = new Map<string, Value>();
  private readonly usedNames = new Set<string>();
  private nextId = 0;
  private nodeCounter = 0;

  constructor(
    readonly name = 'main',
    options: { opset?: number } = {},
  ) {
    this.opset = options.opset ?? DEFAULT_OPSET;
  }

  // ---------------------------------------------------------------- naming and scopes

  /** Runs fn with `name` appended to the current scope; names created inside get the dotted prefix. */
  scope<T>(name: string, fn: () => T): T {
    if (!name) throw new Error('scope name must not be empty');
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  scopedName(local: string): string {
    return [...this.scopes, local].join('.');
  }

  private claimName(name: string, where: string): string {
    if (this.usedNames.has(name)) throw new Error(`${where}: the name '${name}' is already used in graph '${this.name}'`);
    this.usedNames.add(name);
    return name;
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  private newValue(name: string, dtype: DType, shape: Shape, kind: ValueKind): Value {
    const v = new Value(this.nextId++, name, dtype, Object.freeze([...shape]), this);
    this.kinds.set(v, kind);
    return v;
  }

  private check(v: Value, where: string): Value {
    if (v.owner !== this) throw new Error(`${where}: value '${v.name}' belongs to a different GraphBuilder`);
    return v;
  }

  // ---------------------------------------------------------------- leaves

  input(name: string, dtype: DType, shape: Shape): Value {
    const full = this.claimName(this.scopedName(name), 'input');
    validateShape(`input '${full}'`, shape);
    const v = this.newValue(full, dtype, shape, 'input');
    this.inputList.push(v);
    return v;
  }

  /** A frozen weight: an initializer baked into the model (ORT treats it as a constant). */
  initializer(name: string, data: TensorData | readonly number[], shape: Shape, dtype: DType = 'float32'): Value {
    const full = this.claimName(this.scopedName(name), 'initializer');
    return this.addTensor(full, data, shape, dtype, 'initializer');
  }

  /**
   * A model weight. Trainable: a graph input named like the weight, with `data` kept as its initial value
   * (initialValue(v)); frozen: an initializer. Trainables as inputs let ORT's fast conv path see constant
   * frozen weights while the trainable ones change every step.
   */
  parameter(name: string, data: TensorData | readonly number[], shape: Shape, options: ParameterOptions): Value {
    const dtype = options.dtype ?? 'float32';
    if (!options.trainable) return this.initializer(name, data, shape, dtype);
    const v = this.input(name, dtype, shape);
    const typed = ArrayBuffer.isView(data) ? (data as TensorData) : toTypedArray(dtype, data as number[]);
    makeTensor(v.name, dtype, [...shape], typed); // validates the size
    this.trainableSet.add(v);
    this.initialValues.set(v, typed);
    return v;
  }

  /** A deduplicated constant (initializer named const_N). Numbers are converted to dtype. */
  constant(data: TensorData | readonly number[], shape: Shape, dtype: DType = 'float32'): Value {
    const typed = ArrayBuffer.isView(data) ? (data as TensorData) : toTypedArray(dtype, data as number[]);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    const key = `${dtype}|${shape.join(',')}|${bytes.length <= 256 ? bytes.join(',') : ''}`;
    if (bytes.length <= 256) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const v = this.addTensor(this.uniqueName(`const_${this.nextId}`), typed, shape, dtype, 'constant');
    if (bytes.length <= 256) this.constCache.set(key, v);
    return v;
  }

  scalar(value: number, dtype: DType = 'float32'): Value {
    return this.constant([value], [], dtype);
  }

  /** 1-D int64 constant, the form ONNX wants for shapes, axes, pads, starts/ends. */
  ints(values: readonly number[]): Value {
    return this.constant(values, [values.length], 'int64');
  }

  private addTensor(name: string, data: TensorData | readonly number[], shape: Shape, dtype: DType, kind: ValueKind): Value {
    validateShape(`tensor '${name}'`, shape);
    const typed = ArrayBuffer.isView(data) ? (data as TensorData) : toTypedArray(dtype, data as number[]);
    const tensor = makeTensor(name, dtype, [...shape], typed);
    const v = this.newValue(name, dtype, shape, kind);
    this.tensors.set(v, tensor);
    return v;
  }

  /** Marks v as a graph output, renaming it to `name` when given (an Identity is inserted if it cannot be renamed). */
  output(v: Value, name?: string): Value {
    this.check(v, 'output');
    let out = v;
    if (name !== undefined && name !== v.name) {
      // Node outputs are referenced by handle, never by name, so renaming one is safe even after other nodes read it.
      const renamable = this.kinds.get(v) === 'node' && !this.outputList.includes(v);
      if (renamable) {
        this.usedNames.delete(v.name);
        v.name = this.claimName(name, 'output');
      } else {
        out = this.emit('Identity', [v], [], [{ dtype: v.dtype, shape: v.shape }], { outputNames: [name] })[0]!;
      }
    }
    if (this.outputList.includes(out)) throw new Error(`output: '${out.name}' is already a graph output`);
    this.outputList.push(out);
    return out;
  }

  // ---------------------------------------------------------------- introspection

  valueInfo(v: Value): ValueInfo {
    this.check(v, 'valueInfo');
    const kind = this.kinds.get(v)!;
    return { name: v.name, dtype: v.dtype, shape: [...v.shape], kind, trainable: this.trainableSet.has(v) };
  }

  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  get inputs(): readonly Value[] {
    return this.inputList;
  }

  get outputs(): readonly Value[] {
    return this.outputList;
  }

  producerOf(v: Value): GraphNode | undefined {
    return this.producers.get(v);
  }

  isTrainable(v: Value): boolean {
    return this.trainableSet.has(v);
  }

  trainables(): Value[] {
    return this.inputList.filter((v) => this.trainableSet.has(v));
  }

  /** Initial data of a trainable parameter. */
  initialValue(v: Value): TensorData {
    const data = this.initialValues.get(v);
    if (!data) throw new Error(`initialValue: '${v.name}' is not a trainable parameter`);
    return data;
  }

  /** Data of an initializer / constant (undefined for computed values and graph inputs). */
  constantData(v: Value): TensorProto | undefined {
    return this.tensors.get(v);
  }

  /** Float32 contents of a float32 initializer / constant, or undefined. */
  constantFloats(v: Value): Float32Array | undefined {
    const t = this.tensors.get(v);
    if (t?.dataType !== 'float32' || !t.rawData) return undefined;
    return new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
  }

  /** Numeric contents of an int64 constant (shapes, axes). */
  constantInts(v: Value): number[] | undefined {
    const t = this.tensors.get(v);
    if (t?.dataType !== 'int64' || !t.rawData) return undefined;
    const copy = t.rawData.slice();
    return Array.from(new BigInt64Array(copy.buffer), Number);
  }

  // ---------------------------------------------------------------- generic emission

  /**
   * Emits one node with explicitly given output types. Typed op methods below call this after inferring
   * the shapes; use it directly only for ops the builder does not wrap.
   */
  emit(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: AttributeProto[],
    outputTypes: readonly { dtype: DType; shape: Shape }[],
    options: { domain?: string; outputNames?: string[] } = {},
  ): Value[] {
    const index = this.nodeCounter++;
    const base = this.scopedName(`${opType.toLowerCase()}_${index}`);
    for (const v of inputs) if (v) this.check(v, `${opType} '${base}'`);
    const outputs = outputTypes.map((t, k) => {
      const explicit = options.outputNames?.[k];
      const name = explicit !== undefined ? this.claimName(explicit, opType) : this.uniqueName(outputTypes.length === 1 ? base : `${base}_${k}`);
      return this.newValue(name, t.dtype, t.shape, 'node');
    });
    const sorted = makeNode(opType, [], [], { attributes }).attributes;
    const node = new GraphNode(index, base, opType, options.domain ?? '', [...inputs], outputs, sorted);
    this.nodeList.push(node);
    for (const o of outputs) this.producers.set(o, node);
    return outputs;
  }

  private one(opType: string, inputs: readonly (Value | null)[], attributes: AttributeProto[], dtype: DType, shape: Shape): Value {
    return this.emit(opType, inputs, attributes, [{ dtype, shape }])[0]!;
  }

  private loc(opType: string): string {
    return `${opType} '${this.scopedName(`${opType.toLowerCase()}_${this.nodeCounter}`)}'`;
  }

  private operand(x: Operand, like: Value): Value {
    return typeof x === 'number' ? this.scalar(x, like.dtype) : x;
  }

  private requireFloat(where: string, ...vs: Value[]): void {
    for (const v of vs) if (!FLOAT_TYPES.has(v.dtype)) throw new Error(`${where}: expected a float tensor, got ${v}`);
  }

  private requireRank(where: string, v: Value, rank: number | ((r: number) => boolean), expected: string): void {
    const ok = typeof rank === 'number' ? v.rank === rank : rank(v.rank);
    if (!ok) throw new ShapeError(where, `expected ${expected}, got ${v.name} with shape ${fmtShape(v.shape)}`);
  }

  // ---------------------------------------------------------------- elementwise

  private unary(opType: string, x: Value, attributes: AttributeProto[] = []): Value {
    const where = this.loc(opType);
    this.check(x, where);
    this.requireFloat(where, x);
    return this.one(opType, [x], attributes, x.dtype, x.shape);
  }

  identity(x: Value): Value {
    return this.one('Identity', [this.check(x, 'Identity')], [], x.dtype, x.shape);
  }
  relu(x: Value): Value {
    return this.unary('Relu', x);
  }
  leakyRelu(x: Value, alpha = 0.01): Value {
    return this.unary('LeakyRelu', x, [attr.float('alpha', alpha)]);
  }
  sigmoid(x: Value): Value {
    return this.unary('Sigmoid', x);
  }
  tanh(x: Value): Value {
    return this.unary('Tanh', x);
  }
  erf(x: Value): Value {
    return this.unary('Erf', x);
  }
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x);
  }
  exp(x: Value): Value {
    return this.unary('Exp', x);
  }
  log(x: Value): Value {
    return this.unary('Log', x);
  }
  abs(x: Value): Value {
    return this.unary('Abs', x);
  }
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }
  reciprocal(x: Value): Value {
    return this.unary('Reciprocal', x);
  }
  softplus(x: Value): Value {
    return this.unary('Softplus', x);
  }
  floor(x: Value): Value {
    return this.unary('Floor', x);
  }
  ceil(x: Value): Value {
    return this.unary('Ceil', x);
  }
  sin(x: Value): Value {
    return this.unary('Sin', x);
  }
  cos(x: Value): Value {
    return this.unary('Cos', x);
  }

  /** Gelu (exact, erf form) decomposed: opset 17 has no Gelu op. */
  gelu(x: Value): Value {
    const inner = this.add(this.erf(this.mul(x, Math.SQRT1_2)), 1);
    return this.mul(this.mul(x, 0.5), inner);
  }

  /** SiLU / swish as x * Sigmoid(x). */
  silu(x: Value): Value {
    return this.mul(x, this.sigmoid(x));
  }

  clip(x: Value, min?: number, max?: number): Value {
    const where = this.loc('Clip');
    this.check(x, where);
    const inputs: (Value | null)[] = [x, min === undefined ? null : this.scalar(min, x.dtype)];
    if (max !== undefined) inputs.push(this.scalar(max, x.dtype));
    return this.one('Clip', inputs, [], x.dtype, x.shape);
  }

  cast(x: Value, to: DType): Value {
    return this.one('Cast', [this.check(x, 'Cast')], [attr.int('to', ONNX_DATA_TYPE[to])], to, x.shape);
  }

  private binary(opType: string, a: Operand, b: Operand, resultType: 'same' | 'bool', allowMixed = false): Value {
    const where = this.loc(opType);
    if (typeof a === 'number' && typeof b === 'number') throw new Error(`${where}: at least one operand must be a Value`);
    const av = typeof a === 'number' ? this.operand(a, b as Value) : this.check(a, where);
    const bv = typeof b === 'number' ? this.operand(b, av) : this.check(b, where);
    if (!allowMixed && av.dtype !== bv.dtype) throw new Error(`${where}: dtype mismatch ${av} vs ${bv}`);
    const shape = broadcastShapes(where, av.shape, bv.shape);
    return this.one(opType, [av, bv], [], resultType === 'bool' ? 'bool' : av.dtype, shape);
  }

  add(a: Operand, b: Operand): Value {
    return this.binary('Add', a, b, 'same');
  }
  sub(a: Operand, b: Operand): Value {
    return this.binary('Sub', a, b, 'same');
  }
  mul(a: Operand, b: Operand): Value {
    return this.binary('Mul', a, b, 'same');
  }
  div(a: Operand, b: Operand): Value {
    return this.binary('Div', a, b, 'same');
  }
  pow(a: Operand, b: Operand): Value {
    return this.binary('Pow', a, b, 'same', true);
  }
  max(a: Operand, b: Operand): Value {
    return this.binary('Max', a, b, 'same');
  }
  min(a: Operand, b: Operand): Value {
    return this.binary('Min', a, b, 'same');
  }
  equal(a: Operand, b: Operand): Value {
    return this.binary('Equal', a, b, 'bool');
  }
  less(a: Operand, b: Operand): Value {
    return this.binary('Less', a, b, 'bool');
  }
  lessOrEqual(a: Operand, b: Operand): Value {
    return this.binary('LessOrEqual', a, b, 'bool');
  }
  greater(a: Operand, b: Operand): Value {
    return this.binary('Greater', a, b, 'bool');
  }
  greaterOrEqual(a: Operand, b: Operand): Value {
    return this.binary('GreaterOrEqual', a, b, 'bool');
  }
  and(a: Value, b: Value): Value {
    return this.binary('And', a, b, 'bool');
  }
  or(a: Value, b: Value): Value {
    return this.binary('Or', a, b, 'bool');
  }
  not(x: Value): Value {
    if (x.dtype !== 'bool') throw new Error(`${this.loc('Not')}: expected bool, got ${x}`);
    return this.one('Not', [x], [], 'bool', x.shape);
  }

  where(condition: Value, a: Operand, b: Operand): Value {
    const where = this.loc('Where');
    if (condition.dtype !== 'bool') throw new Error(`${where}: condition must be bool, got ${condition}`);
    const like = typeof a !== 'number' ? a : typeof b !== 'number' ? b : undefined;
    if (!like) throw new Error(`${where}: at least one branch must be a Value`);
    const av = this.operand(a, like);
    const bv = this.operand(b, like);
    if (av.dtype !== bv.dtype) throw new Error(`${where}: dtype mismatch ${av} vs ${bv}`);
    const shape = broadcastShapes(where, condition.shape, av.shape, bv.shape);
    return this.one('Where', [condition, av, bv], [], av.dtype, shape);
  }

  // ---------------------------------------------------------------- linear algebra

  /** Batched MatMul (both operands rank >= 2, numpy broadcasting of batch dims). */
  matmul(a: Value, b: Value): Value {
    const where = this.loc('MatMul');
    this.check(a, where);
    this.check(b, where);
    if (a.rank < 2 || b.rank < 2) throw new ShapeError(where, `operands must have rank >= 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    const k1 = a.shape[a.rank - 1]!;
    const k2 = b.shape[b.rank - 2]!;
    if (k1 !== k2) throw new ShapeError(where, `inner dimensions differ: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}`);
    if (a.dtype !== b.dtype) throw new Error(`${where}: dtype mismatch ${a} vs ${b}`);
    const batch = broadcastShapes(where, a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.one('MatMul', [a, b], [], a.dtype, [...batch, a.shape[a.rank - 2]!, b.shape[b.rank - 1]!]);
  }

  gemm(a: Value, b: Value, c?: Value, options: GemmOptions = {}): Value {
    const where = this.loc('Gemm');
    this.requireRank(where, a, 2, 'A of rank 2');
    this.requireRank(where, b, 2, 'B of rank 2');
    const [m, ka] = options.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = options.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (ka !== kb)
      throw new ShapeError(
        where,
        `inner dimensions differ: A ${fmtShape(a.shape)}${options.transA ? 'ᵀ' : ''} x B ${fmtShape(b.shape)}${options.transB ? 'ᵀ' : ''}`,
      );
    if (c) {
      const bc = broadcastShapes(where, [m, n], c.shape);
      if (bc[0] !== m || bc[1] !== n) throw new ShapeError(where, `C ${fmtShape(c.shape)} does not broadcast to [${m}, ${n}]`);
    }
    const attributes = [
      attr.float('alpha', options.alpha ?? 1),
      attr.float('beta', options.beta ?? 1),
      attr.int('transA', options.transA ? 1 : 0),
      attr.int('transB', options.transB ? 1 : 0),
    ];
    return this.one('Gemm', c ? [a, b, c] : [a, b], attributes, a.dtype, [m, n]);
  }

  // ---------------------------------------------------------------- convolution

  conv(x: Value, w: Value, bias?: Value | null, options: ConvOptions = {}): Value {
    const where = this.loc('Conv');
    this.check(x, where);
    this.check(w, where);
    this.requireFloat(where, x, w);
    this.requireRank(where, x, (r) => r >= 3, 'X of rank >= 3 (N, C, spatial...)');
    const spatial = x.rank - 2;
    this.requireRank(where, w, x.rank, `W of rank ${x.rank}`);
    const group = options.group ?? 1;
    const strides = perAxis(where, 'strides', options.strides, spatial, 1);
    const dilations = perAxis(where, 'dilations', options.dilations, spatial, 1);
    const pads = perAxis(where, 'pads', options.pads, spatial * 2, 0);
    const [n, cin] = [x.shape[0]!, x.shape[1]!];
    const [cout, cinPerGroup] = [w.shape[0]!, w.shape[1]!];
    if (cin % group !== 0 || cout % group !== 0 || cinPerGroup * group !== cin) {
      throw new ShapeError(
        where,
        `X ${fmtShape(x.shape)} and W ${fmtShape(w.shape)} do not fit group=${group} (need W[1] * group = C_in and C_out % group = 0)`,
      );
    }
    if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new ShapeError(where, `bias must be [${cout}], got ${fmtShape(bias.shape)}`);
    const out = [n, cout];
    for (let i = 0; i < spatial; i++) {
      const size = convOutputSize(x.shape[2 + i]!, w.shape[2 + i]!, strides[i]!, pads[i]!, pads[spatial + i]!, dilations[i]!);
      if (size < 1) throw new ShapeError(where, `spatial axis ${i} of X ${fmtShape(x.shape)} is too small for kernel ${fmtShape(w.shape)}`);
      out.push(size);
    }
    const attributes = [
      attr.ints('dilations', dilations),
      attr.int('group', group),
      attr.ints('kernel_shape', w.shape.slice(2)),
      attr.ints('pads', pads),
      attr.ints('strides', strides),
    ];
    return this.one('Conv', bias ? [x, w, bias] : [x, w], attributes, x.dtype, out);
  }

  /** ConvTranspose with explicit pads. W is [C_in, C_out / group, k...]. */
  convTranspose(x: Value, w: Value, bias?: Value | null, options: ConvTransposeOptions = {}): Value {
    const where = this.loc('ConvTranspose');
    this.check(x, where);
    this.check(w, where);
    this.requireFloat(where, x, w);
    this.requireRank(where, x, (r) => r >= 3, 'X of rank >= 3');
    const spatial = x.rank - 2;
    this.requireRank(where, w, x.rank, `W of rank ${x.rank}`);
    const group = options.group ?? 1;
    const strides = perAxis(where, 'strides', options.strides, spatial, 1);
    const dilations = perAxis(where, 'dilations', options.dilations, spatial, 1);
    const pads = perAxis(where, 'pads', options.pads, spatial * 2, 0);
    const outputPadding = perAxis(where, 'outputPadding', options.outputPadding, spatial, 0);
    if (w.shape[0] !== x.shape[1] || x.shape[1]! % group !== 0) {
      throw new ShapeError(where, `W ${fmtShape(w.shape)} must be [C_in=${x.shape[1]}, C_out/group, k...] with group=${group}`);
    }
    const cout = w.shape[1]! * group;
    if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new ShapeError(where, `bias must be [${cout}], got ${fmtShape(bias.shape)}`);
    const out = [x.shape[0]!, cout];
    for (let i = 0; i < spatial; i++) {
      if (outputPadding[i]! >= Math.max(strides[i]!, dilations[i]!)) {
        throw new ShapeError(where, `output_padding ${outputPadding[i]} must be smaller than stride or dilation on axis ${i}`);
      }
      out.push(convTransposeOutputSize(x.shape[2 + i]!, w.shape[2 + i]!, strides[i]!, pads[i]!, pads[spatial + i]!, dilations[i]!, outputPadding[i]!));
    }
    const attributes = [
      attr.ints('dilations', dilations),
      attr.int('group', group),
      attr.ints('kernel_shape', w.shape.slice(2)),
      attr.ints('output_padding', outputPadding),
      attr.ints('pads', pads),
      attr.ints('strides', strides),
    ];
    return this.one('ConvTranspose', bias ? [x, w, bias] : [x, w], attributes, x.dtype, out);
  }

  // ---------------------------------------------------------------- normalization

  instanceNorm(x: Value, scale: Value, bias: Value, epsilon = 1e-5): Value {
    const where = this.loc('InstanceNormalization');
    this.requireRank(where, x, (r) => r >= 3, 'X of rank >= 3');
    const c = x.shape[1]!;
    for (const [label, v] of [
      ['scale', scale],
      ['bias', bias],
    ] as const) {
      if (v.rank !== 1 || v.shape[0] !== c) throw new ShapeError(where, `${label} must be [${c}] for X ${fmtShape(x.shape)}, got ${fmtShape(v.shape)}`);
    }
    return this.one('InstanceNormalization', [x, scale, bias], [attr.float('epsilon', epsilon)], x.dtype, x.shape);
  }

  /** LayerNormalization (opset 17) over axes [axis, rank). Scale / bias have shape x.shape[axis:]. */
  layerNorm(x: Value, scale: Value, bias?: Value | null, options: { axis?: number; epsilon?: number } = {}): Value {
    const where = this.loc('LayerNormalization');
    const axis = normalizeAxis(where, options.axis ?? -1, x.rank);
    const normShape = x.shape.slice(axis);
    for (const [label, v] of [
      ['scale', scale],
      ['bias', bias],
    ] as const) {
      if (!v) continue;
      const bc = broadcastShapes(where, normShape, v.shape);
      if (fmtShape(bc) !== fmtShape(normShape)) throw new ShapeError(where, `${label} ${fmtShape(v.shape)} does not broadcast to ${fmtShape(normShape)}`);
    }
    const attributes = [attr.int('axis', axis), attr.float('epsilon', options.epsilon ?? 1e-5)];
    return this.one('LayerNormalization', bias ? [x, scale, bias] : [x, scale], attributes, x.dtype, x.shape);
  }

  /**
   * GroupNorm decomposed (GroupNormalization is opset 18): InstanceNormalization over [N, G, C/G * spatial]
   * with unit scale, then the per-channel affine. scale/bias are [C].
   */
  groupNorm(x: Value, scale: Value, bias: Value, groups: number, epsilon = 1e-5): Value {
    const where = this.loc('GroupNorm');
    this.requireRank(where, x, (r) => r >= 3, 'X of rank >= 3');
    const [n, c] = [x.shape[0]!, x.shape[1]!];
    if (c % groups !== 0) throw new ShapeError(where, `channels ${c} not divisible by groups ${groups}`);
    if (scale.rank !== 1 || scale.shape[0] !== c || bias.rank !== 1 || bias.shape[0] !== c) {
      throw new ShapeError(where, `scale and bias must be [${c}], got ${fmtShape(scale.shape)} and ${fmtShape(bias.shape)}`);
    }
    const grouped = this.reshape(x, [n, groups, -1]);
    const ones = this.constant(new Array(groups).fill(1), [groups], x.dtype);
    const zeros = this.constant(new Array(groups).fill(0), [groups], x.dtype);
    const normed = this.reshape(this.instanceNorm(grouped, ones, zeros, epsilon), x.shape);
    const affineShape = [c, ...new Array(x.rank - 2).fill(1)];
    return this.add(this.mul(normed, this.reshape(scale, affineShape)), this.reshape(bias, affineShape));
  }

  softmax(x: Value, axis = -1): Value {
    const where = this.loc('Softmax');
    return this.one('Softmax', [x], [attr.int('axis', normalizeAxis(where, axis, x.rank))], x.dtype, x.shape);
  }

  logSoftmax(x: Value, axis = -1): Value {
    const where = this.loc('LogSoftmax');
    return this.one('LogSoftmax', [x], [attr.int('axis', normalizeAxis(where, axis, x.rank))], x.dtype, x.shape);
  }

  // ---------------------------------------------------------------- shape manipulation

  reshape(x: Value, shape: readonly number[]): Value {
    const where = this.loc('Reshape');
    this.check(x, where);
    const out = resolveReshape(where, x.shape, shape);
    return this.one('Reshape', [x, this.ints(out)], [], x.dtype, out);
  }

  flatten(x: Value, axis = 1): Value {
    const a = axis < 0 ? axis + x.rank : axis;
    return this.reshape(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]);
  }

  transpose(x: Value, perm?: readonly number[]): Value {
    const where = this.loc('Transpose');
    const p = perm ? [...perm] : [...x.shape.keys()].reverse();
    if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
      throw new ShapeError(where, `perm [${p.join(', ')}] is not a permutation of rank ${x.rank} (X ${fmtShape(x.shape)})`);
    }
    return this.one(
      'Transpose',
      [x],
      [attr.ints('perm', p)],
      x.dtype,
      p.map((i) => x.shape[i]!),
    );
  }

  concat(values: readonly Value[], axis: number): Value {
    const where = this.loc('Concat');
    if (values.length === 0) throw new Error(`${where}: needs at least one input`);
    const first = values[0]!;
    const a = normalizeAxis(where, axis, first.rank);
    let total = 0;
    for (const v of values) {
      this.check(v, where);
      if (v.rank !== first.rank || v.shape.some((d, i) => i !== a && d !== first.shape[i]) || v.dtype !== first.dtype) {
        throw new ShapeError(where, `inputs must match except on axis ${a}: ${values.map((u) => `${u.dtype}${fmtShape(u.shape)}`).join(', ')}`);
      }
      total += v.shape[a]!;
    }
    const shape = [...first.shape];
    shape[a] = total;
    return this.one('Concat', values, [attr.int('axis', a)], first.dtype, shape);
  }

  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    const where = this.loc('Split');
    const a = normalizeAxis(where, axis, x.rank);
    const sum = sizes.reduce((p, q) => p + q, 0);
    if (sum !== x.shape[a]) throw new ShapeError(where, `sizes [${sizes.join(', ')}] sum to ${sum}, but axis ${a} of ${fmtShape(x.shape)} is ${x.shape[a]}`);
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[a] = s;
      return { dtype: x.dtype, shape };
    });
    return this.emit('Split', [x, this.ints(sizes)], [attr.int('axis', a)], outs);
  }

  slice(x: Value, options: SliceOptions): Value {
    const where = this.loc('Slice');
    const axes = normalizeAxes(where, options.axes ?? options.starts.map((_, i) => i), x.rank);
    const steps = options.steps ?? axes.map(() => 1);
    if (options.starts.length !== axes.length || options.ends.length !== axes.length || steps.length !== axes.length) {
      throw new Error(`${where}: starts, ends, axes and steps must have the same length`);
    }
    const shape = [...x.shape];
    axes.forEach((ax, i) => {
      shape[ax] = sliceAxisRange(x.shape[ax]!, options.starts[i]!, options.ends[i]!, steps[i]!).length;
    });
    const clampEnd = (e: number) => Math.max(Math.min(e, Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER);
    const inputs = [x, this.ints(options.starts), this.ints(options.ends.map(clampEnd)), this.ints(axes), this.ints(steps)];
    return this.one('Slice', inputs, [], x.dtype, shape);
  }

  /** pads in ONNX order: [x1_begin, x2_begin, ..., x1_end, x2_end] (negative values crop). */
  pad(x: Value, pads: readonly number[], options: { mode?: 'constant' | 'reflect' | 'edge'; value?: number } = {}): Value {
    const where = this.loc('Pad');
    if (pads.length !== 2 * x.rank) throw new ShapeError(where, `pads needs ${2 * x.rank} values for ${fmtShape(x.shape)}, got [${pads.join(', ')}]`);
    const mode = options.mode ?? 'constant';
    const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + x.rank]!);
    if (shape.some((d) => d < 0)) throw new ShapeError(where, `pads [${pads.join(', ')}] crop ${fmtShape(x.shape)} below zero`);
    if (mode === 'reflect') {
      x.shape.forEach((d, i) => {
        if (pads[i]! >= d || pads[i + x.rank]! >= d) throw new ShapeError(where, `reflect pad on axis ${i} must be smaller than its size ${d}`);
      });
    }
    const inputs: Value[] = [x, this.ints(pads)];
    if (mode === 'constant') inputs.push(this.scalar(options.value ?? 0, x.dtype));
    return this.one('Pad', inputs, [attr.string('mode', mode)], x.dtype, shape);
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    const where = this.loc('Squeeze');
    const norm = normalizeAxes(where, axes, x.rank);
    for (const a of norm) if (x.shape[a] !== 1) throw new ShapeError(where, `axis ${a} of ${fmtShape(x.shape)} is not 1`);
    return this.one(
      'Squeeze',
      [x, this.ints(norm)],
      [],
      x.dtype,
      x.shape.filter((_, i) => !norm.includes(i)),
    );
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    const where = this.loc('Unsqueeze');
    const rank = x.rank + axes.length;
    const norm = normalizeAxes(where, axes, rank);
    const shape: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]!);
    return this.one('Unsqueeze', [x, this.ints(norm)], [], x.dtype, shape);
  }

  expand(x: Value, shape: readonly number[]): Value {
    const where = this.loc('Expand');
    const out = broadcastShapes(where, x.shape, shape);
    return this.one('Expand', [x, this.ints(shape)], [], x.dtype, out);
  }

  gather(x: Value, indices: Value | readonly number[], axis = 0): Value {
    const where = this.loc('Gather');
    const a = normalizeAxis(where, axis, x.rank);
    const idx = indices instanceof Value ? indices : this.constant(indices, [indices.length], 'int64');
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw new Error(`${where}: indices must be int64/int32, got ${idx}`);
    const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
    return this.one('Gather', [x, idx], [attr.int('axis', a)], x.dtype, shape);
  }

  /** Shape as an int64 tensor (not differentiable; for graphs that need it at run time). */
  shapeOf(x: Value): Value {
    return this.one('Shape', [x], [], 'int64', [x.rank]);
  }

  depthToSpace(x: Value, blocksize: number, mode: 'DCR' | 'CRD' = 'DCR'): Value {
    const where = this.loc('DepthToSpace');
    this.requireRank(where, x, 4, 'X of rank 4');
    const [n, c, h, w] = x.shape as [number, number, number, number];
    if (c % (blocksize * blocksize) !== 0) throw new ShapeError(where, `channels ${c} not divisible by blocksize² ${blocksize * blocksize}`);
    const attributes = [attr.int('blocksize', blocksize), attr.string('mode', mode)];
    return this.one('DepthToSpace', [x], attributes, x.dtype, [n, c / (blocksize * blocksize), h * blocksize, w * blocksize]);
  }

  /**
   * SpaceToDepth as Reshape + Transpose + Reshape (same result as the ONNX op): onnxruntime's WebGPU EP has
   * no SpaceToDepth kernel, and this form also differentiates through the plain shape rules.
   */
  spaceToDepth(x: Value, blocksize: number): Value {
    const where = this.loc('SpaceToDepth');
    this.requireRank(where, x, 4, 'X of rank 4');
    const [n, c, h, w] = x.shape as [number, number, number, number];
    if (h % blocksize !== 0 || w % blocksize !== 0) throw new ShapeError(where, `spatial ${h}x${w} not divisible by blocksize ${blocksize}`);
    const split = this.reshape(x, [n, c, h / blocksize, blocksize, w / blocksize, blocksize]);
    return this.reshape(this.transpose(split, [0, 3, 5, 1, 2, 4]), [n, c * blocksize * blocksize, h / blocksize, w / blocksize]);
  }

  resize(x: Value, options: ResizeOptions): Value {
    const where = this.loc('Resize');
    if ((options.scales === undefined) === (options.sizes === undefined)) throw new Error(`${where}: give exactly one of scales or sizes`);
    let shape: number[];
    let inputs: (Value | null)[];
    if (options.scales) {
      if (options.scales.length !== x.rank) throw new ShapeError(where, `scales needs ${x.rank} values, got [${options.scales.join(', ')}]`);
      shape = x.shape.map((d, i) => Math.floor(d * options.scales![i]!));
      inputs = [x, null, this.constant(options.scales, [x.rank], 'float32')];
    } else {
      if (options.sizes!.length !== x.rank) throw new ShapeError(where, `sizes needs ${x.rank} values, got [${options.sizes!.join(', ')}]`);
      shape = [...options.sizes!];
      inputs = [x, null, null, this.ints(options.sizes!)];
    }
    if (shape.some((d) => d < 1)) throw new ShapeError(where, `output shape ${fmtShape(shape)} is empty`);
    const attributes = [
      attr.string('coordinate_transformation_mode', options.coordinateTransformationMode ?? 'half_pixel'),
      attr.string('mode', options.mode ?? 'nearest'),
      attr.string('nearest_mode', options.nearestMode ?? 'round_prefer_floor'),
    ];
    return this.one('Resize', inputs, attributes, x.dtype, shape);
  }

  // ---------------------------------------------------------------- reductions

  private reduce(opType: string, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
    const where = this.loc(opType);
    this.check(x, where);
    const norm = normalizeAxes(where, axes ?? [...x.shape.keys()], x.rank).sort((a, b) => a - b);
    const shape = keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
    // Opset 13+ ReduceSum takes axes as an input; the others keep the attribute until opset 18.
    if (opType === 'ReduceSum' || this.opset >= 18) {
      return this.one(opType, [x, this.ints(norm)], [attr.int('keepdims', keepdims ? 1 : 0)], x.dtype, shape);
    }
    return this.one(opType, [x], [attr.ints('axes', norm), attr.int('keepdims', keepdims ? 1 : 0)], x.dtype, shape);
  }

  /** Reduces over `axes` (all axes when omitted); keepdims defaults to true as in ONNX. */
  reduceSum(x: Value, axes?: readonly number[], keepdims = true): Value {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Value, axes?: readonly number[], keepdims = true): Value {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }
  reduceMax(x: Value, axes?: readonly number[], keepdims = true): Value {
    return this.reduce('ReduceMax', x, axes, keepdims);
  }
  reduceMin(x: Value, axes?: readonly number[], keepdims = true): Value {
    return this.reduce('ReduceMin', x, axes, keepdims);
  }

  // ---------------------------------------------------------------- output

  /** Reads axes of a reduction node whichever form (input or attribute) it was emitted in. */
  reductionAxes(node: GraphNode): number[] {
    const axesInput = node.inputs[1];
    if (axesInput) {
      const axes = this.constantInts(axesInput);
      if (!axes) throw new Error(`${node}: axes must be a constant`);
      return axes;
    }
    return node.ints('axes', [...node.input(0).shape.keys()]);
  }

  toModelProto(options: BuildOptions = {}): ModelProto {
    if (this.outputList.length === 0) throw new Error(`graph '${this.name}' has no outputs; call output(value, name) first`);
    const needed = new Set<Value>(this.outputList);
    let nodes = this.nodeList;
    if (options.prune ?? true) {
      const kept: GraphNode[] = [];
      for (let i = this.nodeList.length - 1; i >= 0; i--) {
        const node = this.nodeList[i]!;
        if (!node.outputs.some((o) => needed.has(o))) continue;
        kept.push(node);
        for (const v of node.inputs) if (v) needed.add(v);
      }
      nodes = kept.reverse();
    } else {
      for (const node of nodes) for (const v of node.inputs) if (v) needed.add(v);
    }
    const initializers = [...this.tensors.entries()].filter(([v]) => needed.has(v)).map(([, t]) => t);
    const info = (v: Value) => makeValueInfo(v.name, v.dtype, [...v.shape]);
    const nodeProtos = nodes.map((n) =>
      makeNode(
        n.opType,
        n.inputs.map((v) => v?.name ?? ''),
        n.outputs.map((v) => v.name),
        { name: n.name, domain: n.domain, attributes: [...n.attributes] },
      ),
    );
    const outputs = new Set(this.outputList);
    const valueInfo = options.includeValueInfo
      ? nodes
          .flatMap((n) => n.outputs)
          .filter((v) => !outputs.has(v))
          .map(info)
      : [];
    const graph = makeGraph(nodeProtos, this.name, this.inputList.map(info), this.outputList.map(info), initializers, valueInfo);
    return makeModel(graph, {
      opsetImports: [{ domain: '', version: this.opset }],
      ...(options.producerName !== undefined ? { producerName: options.producerName } : {}),
      ...(options.docString !== undefined ? { docString: options.docString } : {}),
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
    });
  }

  /** ONNX ModelProto bytes. Deterministic: building the same graph twice gives identical bytes. */
  build(options: BuildOptions = {}): Uint8Array {
    return encodeModel(this.toModelProto(options));
  }

  /** model.onnx bytes + a weights file (`location`) holding initializers of at least thresholdBytes. */
  buildWithExternalData(location: string, options: BuildOptions & { thresholdBytes?: number } = {}): EncodedModelWithWeights {
    return encodeModelWithExternalData(this.toModelProto(options), {
      location,
      ...(options.thresholdBytes !== undefined ? { thresholdBytes: options.thresholdBytes } : {}),
    });
  }
}

function validateShape(where: string, shape: Shape): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(where, `invalid static shape ${fmtShape(shape)}`);
}
