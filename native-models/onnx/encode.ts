/** ModelProto -> ONNX protobuf bytes, optionally moving large initializers to an external weights file. */
import { ProtoWriter } from './proto-wire';
import {
  ONNX_ATTRIBUTE_TYPE,
  ONNX_DATA_TYPE,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './types';

function writeTensor(w: ProtoWriter, t: TensorProto): void {
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, ONNX_DATA_TYPE[t.dataType]);
  w.string(8, t.name);
  if (t.external) {
    w.message(13, (e) => e.string(1, 'location').string(2, t.external!.location));
    w.message(13, (e) => e.string(1, 'offset').string(2, String(t.external!.offset)));
    w.message(13, (e) => e.string(1, 'length').string(2, String(t.external!.length)));
    w.int(14, 1); // DataLocation.EXTERNAL
  } else {
    w.bytes(9, t.rawData ?? new Uint8Array(0));
  }
}

function writeAttribute(w: ProtoWriter, a: AttributeProto): void {
  w.string(1, a.name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value));
      break;
    case 'graph':
      w.message(6, (g) => writeGraph(g, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.string(9, s);
      break;
  }
  w.int(20, ONNX_ATTRIBUTE_TYPE[a.type]);
}

function writeNode(w: ProtoWriter, n: NodeProto): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (m) => writeAttribute(m, a));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoProto): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DATA_TYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: GraphProto): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
  for (const v of g.valueInfo) w.message(13, (m) => writeValueInfo(m, v));
}

export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) w.message(8, (m) => m.string(1, o.domain).int(2, o.version));
  for (const key of Object.keys(model.metadata).sort()) {
    w.message(14, (m) => m.string(1, key).string(2, model.metadata[key]!));
  }
  return w.finish();
}

export interface ExternalDataOptions {
  /** File name written into each tensor's `location`, relative to the model file (ONNX convention). */
  location: string;
  /** Initializers with at least this many bytes go to the weights file; smaller ones stay inline. */
  thresholdBytes?: number;
  /** Offsets are aligned to this many bytes so runtimes can memory-map the file. */
  alignment?: number;
}

export interface EncodedModelWithWeights {
  model: Uint8Array;
  weights: Uint8Array;
}

/**
 * Encodes a model whose large initializers live in a separate weights file (model.onnx + model.onnx.data).
 * Write `weights` next to `model` under `options.location`; ORT resolves it relative to the model path.
 */
export function encodeModelWithExternalData(model: ModelProto, options: ExternalDataOptions): EncodedModelWithWeights {
  const threshold = options.thresholdBytes ?? 1024;
  const alignment = options.alignment ?? 4096;
  const pieces: { offset: number; data: Uint8Array }[] = [];
  let size = 0;
  const initializers = model.graph.initializers.map((t): TensorProto => {
    if (!t.rawData || t.rawData.length < threshold) return t;
    const offset = Math.ceil(size / alignment) * alignment;
    pieces.push({ offset, data: t.rawData });
    size = offset + t.rawData.length;
    return { name: t.name, dataType: t.dataType, dims: t.dims, external: { location: options.location, offset, length: t.rawData.length } };
  });
  const weights = new Uint8Array(size);
  for (const p of pieces) weights.set(p.data, p.offset);
  return { model: encodeModel({ ...model, graph: { ...model.graph, initializers } }), weights };
}
