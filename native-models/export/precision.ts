import { attr, decodeModel, encodeModel, makeNode, makeTensor, type ModelProto, type NodeProto, type TensorProto } from '../onnx';
import { float32ArrayToFloat16 } from '../io/float16';

/**
 * Inputs that ONNX types as tensor(float) whatever the data type of the rest of the node, so they must stay
 * float32 when a graph is converted to float16: Resize's roi and scales.
 */
const FLOAT32_ONLY_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2] };

const FLOAT32_CODE = 1;
const FLOAT16_CODE = 10;

function float32Data(tensor: TensorProto): Float32Array {
  if (!tensor.rawData) throw new Error(`initializer '${tensor.name}' has external data; convert a self-contained model`);
  const copy = tensor.rawData.slice();
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

function consumersOf(nodes: readonly NodeProto[]): Map<string, { node: NodeProto; index: number }[]> {
  const map = new Map<string, { node: NodeProto; index: number }[]>();
  for (const node of nodes) {
    node.inputs.forEach((name, index) => {
      if (!map.has(name)) map.set(name, []);
      map.get(name)!.push({ node, index });
    });
  }
  return map;
}

/**
 * Converts a float32 graph to float16 weights and activations, keeping the graph's inputs and outputs as they
 * are (the phone graph's are uint8). Every float32 initializer becomes float16, and every Cast to float32
 * becomes a Cast to float16, except tensors that feed float32-only inputs (Resize scales); a float32 graph
 * input or output gets a Cast at the boundary. Value-info annotations of intermediates are dropped: runtimes
 * re-infer them.
 */
export function convertToFloat16(modelBytes: Uint8Array): Uint8Array {
  const model: ModelProto = decodeModel(modelBytes);
  const graph = model.graph;
  const consumers = consumersOf(graph.nodes);
  const keepFloat32 = (name: string): { fp32: boolean; fp16: boolean } => {
    let fp32 = false;
    let fp16 = false;
    for (const { node, index } of consumers.get(name) ?? []) {
      if (FLOAT32_ONLY_INPUTS[node.opType]?.includes(index)) fp32 = true;
      else fp16 = true;
    }
    return { fp32, fp16 };
  };

  const initializers: TensorProto[] = [];
  for (const tensor of graph.initializers) {
    if (tensor.dataType !== 'float32') {
      initializers.push(tensor);
      continue;
    }
    const use = keepFloat32(tensor.name);
    const half = makeTensor(tensor.name, 'float16', tensor.dims, float32ArrayToFloat16(float32Data(tensor)));
    if (use.fp32 && use.fp16) {
      // Shared by a float32-only input and ordinary ones: keep both copies.
      const renamed = `${tensor.name}__fp16`;
      initializers.push(tensor, { ...half, name: renamed });
      for (const { node, index } of consumers.get(tensor.name) ?? []) {
        if (!FLOAT32_ONLY_INPUTS[node.opType]?.includes(index)) node.inputs[index] = renamed;
      }
    } else {
      initializers.push(use.fp32 ? tensor : half);
    }
  }

  const nodes: NodeProto[] = [];
  for (const node of graph.nodes) {
    if (node.opType === 'Cast') {
      node.attributes = node.attributes.map((a) => (a.name === 'to' && a.type === 'int' && a.value === FLOAT32_CODE ? { ...a, value: FLOAT16_CODE } : a));
    }
    if (node.opType === 'Constant') {
      node.attributes = node.attributes.map((a) =>
        a.type === 'tensor' && a.value.dataType === 'float32'
          ? { ...a, value: makeTensor(a.value.name, 'float16', a.value.dims, float32ArrayToFloat16(float32Data(a.value))) }
          : a,
      );
    }
    nodes.push(node);
  }

  // Float32 graph inputs/outputs keep their type: cast at the boundary.
  const prefix: NodeProto[] = [];
  for (const input of graph.inputs) {
    if (input.dtype !== 'float32') continue;
    const cast = `${input.name}__to_fp16`;
    for (const { node, index } of consumers.get(input.name) ?? []) node.inputs[index] = cast;
    prefix.push(makeNode('Cast', [input.name], [cast], { name: cast, attributes: [attr.int('to', FLOAT16_CODE)] }));
  }
  const suffix: NodeProto[] = [];
  for (const output of graph.outputs) {
    if (output.dtype !== 'float32') continue;
    const inner = `${output.name}__fp16`;
    for (const node of nodes) node.outputs = node.outputs.map((o) => (o === output.name ? inner : o));
    for (const node of nodes) node.inputs = node.inputs.map((i) => (i === output.name ? inner : i));
    suffix.push(makeNode('Cast', [inner], [output.name], { name: `${output.name}__to_fp32`, attributes: [attr.int('to', FLOAT32_CODE)] }));
  }

  return encodeModel({
    ...model,
    graph: { ...graph, nodes: [...prefix, ...nodes, ...suffix], initializers, valueInfo: [] },
  });
}

/** Which input of an op holds a weight matrix, and which axis of that weight indexes output channels. */
const WEIGHT_INPUTS: Readonly<Record<string, { index: number; channelAxis: (dims: number[], node: NodeProto) => number }>> = {
  Conv: { index: 1, channelAxis: () => 0 },
  ConvTranspose: { index: 1, channelAxis: () => 1 },
  MatMul: { index: 1, channelAxis: (dims) => dims.length - 1 },
  Gemm: {
    index: 1,
    channelAxis: (_dims, node) => (node.attributes.some((a) => a.name === 'transB' && a.type === 'int' && a.value === 1) ? 0 : 1),
  },
};

export interface Int8Options {
  /** Weights with fewer elements stay float32 (tiny tensors gain nothing and lose precision). Default 256. */
  minElements?: number;
}

/**
 * Int8 weight-only quantisation in QDQ form: each Conv/ConvTranspose/MatMul/Gemm weight initializer becomes an
 * int8 tensor with a per-output-channel symmetric scale, followed by a DequantizeLinear node. Activations stay
 * float, so accuracy loss is small and every runtime that reads QDQ graphs can run it (ORT mobile, NNAPI,
 * CoreML via ORT); the file shrinks about 4x.
 */
export function quantizeWeightsInt8(modelBytes: Uint8Array, options: Int8Options = {}): Uint8Array {
  const minElements = options.minElements ?? 256;
  const model = decodeModel(modelBytes);
  const graph = model.graph;
  const consumers = consumersOf(graph.nodes);
  const initializers: TensorProto[] = [];
  const dequantizers: NodeProto[] = [];

  for (const tensor of graph.initializers) {
    const uses = consumers.get(tensor.name) ?? [];
    const weightUse = uses.map(({ node, index }) => ({ node, index, spec: WEIGHT_INPUTS[node.opType] })).find((u) => u.spec && u.spec.index === u.index);
    const onlyWeightUses = uses.every(({ node, index }) => WEIGHT_INPUTS[node.opType]?.index === index);
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (tensor.dataType !== 'float32' || !weightUse || !onlyWeightUses || tensor.dims.length < 2 || elements < minElements) {
      initializers.push(tensor);
      continue;
    }
    const axis = weightUse.spec!.channelAxis(tensor.dims, weightUse.node);
    const { quantized, scales } = quantizePerChannel(float32Data(tensor), tensor.dims, axis);
    const q = `${tensor.name}.int8`;
    const scale = `${tensor.name}.int8_scale`;
    const zero = `${tensor.name}.int8_zero_point`;
    initializers.push(
      makeTensor(q, 'int8', tensor.dims, quantized),
      makeTensor(scale, 'float32', [scales.length], scales),
      makeTensor(zero, 'int8', [scales.length], new Int8Array(scales.length)),
    );
    dequantizers.push(
      makeNode('DequantizeLinear', [q, scale, zero], [tensor.name], { name: `${tensor.name}.dequantize`, attributes: [attr.int('axis', axis)] }),
    );
  }
  return encodeModel({ ...model, graph: { ...graph, nodes: [...dequantizers, ...graph.nodes], initializers } });
}

function quantizePerChannel(data: Float32Array, dims: number[], axis: number): { quantized: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => Math.floor(i / inner) % channels;
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    maxAbs[c] = Math.max(maxAbs[c]!, Math.abs(data[i]!));
  }
  const scales = maxAbs.map((m) => (m > 0 ? m / 127 : 1));
  const quantized = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) quantized[i] = Math.max(-127, Math.min(127, Math.round(data[i]! / scales[channelOf(i)]!)));
  return { quantized, scales };
}

/** The distinct operator types of a model, sorted: reported in the manifest and checked against mobile runtimes. */
export function operatorTypes(modelBytes: Uint8Array): string[] {
  return [...new Set(decodeModel(modelBytes).graph.nodes.map((n) => n.opType))].sort();
}
