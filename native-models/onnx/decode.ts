/** ONNX protobuf bytes -> ModelProto plain data, for the subset encode.ts writes (round-trip and inspection). */
import { readFields, readFloat32, readPackedVarints, toSigned64, type ProtoField } from './proto-wire';
import {
  ONNX_ATTRIBUTE_TYPE,
  dtypeFromOnnx,
  type AttributeProto,
  type Dim,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './types';

const text = (f: ProtoField): string => new TextDecoder().decode(f.bytes);
const int = (f: ProtoField): number => Number(toSigned64(f.int!));

function ints(f: ProtoField): number[] {
  // Repeated int64 may arrive packed (wire 2) or one per field (wire 0).
  return f.wire === 2 ? readPackedVarints(f.bytes!).map((v) => Number(toSigned64(v))) : [int(f)];
}

function floats(f: ProtoField): number[] {
  if (f.wire === 5) return [readFloat32(f.bytes!)];
  const b = f.bytes!;
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(readFloat32(b.subarray(i, i + 4)));
  return out;
}

function decodeTensor(buf: Uint8Array): TensorProto {
  const t: TensorProto = { name: '', dataType: 'float32', dims: [] };
  const ext: Record<string, string> = {};
  for (const f of readFields(buf)) {
    if (f.field === 1) t.dims.push(...ints(f));
    else if (f.field === 2) t.dataType = dtypeFromOnnx(int(f));
    else if (f.field === 8) t.name = text(f);
    else if (f.field === 9) t.rawData = f.bytes!.slice();
    else if (f.field === 4) t.rawData = new Uint8Array(new Float32Array(floats(f)).buffer);
    else if (f.field === 7) t.rawData = new Uint8Array(BigInt64Array.from(ints(f).map(BigInt)).buffer);
    else if (f.field === 13) {
      let key = '';
      let value = '';
      for (const e of readFields(f.bytes!)) {
        if (e.field === 1) key = text(e);
        if (e.field === 2) value = text(e);
      }
      ext[key] = value;
    }
  }
  if (ext.location !== undefined) {
    t.external = { location: ext.location, offset: Number(ext.offset ?? 0), length: Number(ext.length ?? 0) };
  }
  return t;
}

function decodeAttribute(buf: Uint8Array): AttributeProto {
  const fields = readFields(buf);
  let name = '';
  let typeCode = 0;
  for (const f of fields) {
    if (f.field === 1) name = text(f);
    if (f.field === 20) typeCode = int(f);
  }
  const type = (Object.keys(ONNX_ATTRIBUTE_TYPE) as (keyof typeof ONNX_ATTRIBUTE_TYPE)[]).find((k) => ONNX_ATTRIBUTE_TYPE[k] === typeCode);
  const pick = (n: number) => fields.filter((f) => f.field === n);
  switch (type) {
    case 'float':
      return { name, type, value: readFloat32(pick(2)[0]!.bytes!) };
    case 'int':
      return { name, type, value: int(pick(3)[0]!) };
    case 'string':
      return { name, type, value: text(pick(4)[0]!) };
    case 'tensor':
      return { name, type, value: decodeTensor(pick(5)[0]!.bytes!) };
    case 'graph':
      return { name, type, value: decodeGraph(pick(6)[0]!.bytes!) };
    case 'floats':
      return { name, type, value: pick(7).flatMap(floats) };
    case 'ints':
      return { name, type, value: pick(8).flatMap(ints) };
    case 'strings':
      return { name, type, value: pick(9).map(text) };
    default:
      throw new Error(`decode: attribute '${name}' has unsupported type code ${typeCode}`);
  }
}

function decodeNode(buf: Uint8Array): NodeProto {
  const n: NodeProto = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  for (const f of readFields(buf)) {
    if (f.field === 1) n.inputs.push(text(f));
    else if (f.field === 2) n.outputs.push(text(f));
    else if (f.field === 3) n.name = text(f);
    else if (f.field === 4) n.opType = text(f);
    else if (f.field === 5) n.attributes.push(decodeAttribute(f.bytes!));
    else if (f.field === 7) n.domain = text(f);
  }
  return n;
}

function decodeValueInfo(buf: Uint8Array): ValueInfoProto {
  const v: ValueInfoProto = { name: '', dtype: 'float32', shape: [] };
  for (const f of readFields(buf)) {
    if (f.field === 1) v.name = text(f);
    if (f.field !== 2) continue;
    for (const tf of readFields(f.bytes!)) {
      if (tf.field !== 1) continue; // only tensor types are produced by encode.ts
      for (const tt of readFields(tf.bytes!)) {
        if (tt.field === 1) v.dtype = dtypeFromOnnx(int(tt));
        if (tt.field !== 2) continue;
        for (const dimField of readFields(tt.bytes!)) {
          let dim: Dim = '';
          for (const d of readFields(dimField.bytes!)) {
            if (d.field === 1) dim = int(d);
            if (d.field === 2) dim = text(d);
          }
          v.shape.push(dim);
        }
      }
    }
  }
  return v;
}

function decodeGraph(buf: Uint8Array): GraphProto {
  const g: GraphProto = { name: '', nodes: [], inputs: [], outputs: [], initializers: [], valueInfo: [] };
  for (const f of readFields(buf)) {
    if (f.field === 1) g.nodes.push(decodeNode(f.bytes!));
    else if (f.field === 2) g.name = text(f);
    else if (f.field === 5) g.initializers.push(decodeTensor(f.bytes!));
    else if (f.field === 11) g.inputs.push(decodeValueInfo(f.bytes!));
    else if (f.field === 12) g.outputs.push(decodeValueInfo(f.bytes!));
    else if (f.field === 13) g.valueInfo.push(decodeValueInfo(f.bytes!));
  }
  return g;
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  const m: ModelProto = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    docString: '',
    graph: { name: '', nodes: [], inputs: [], outputs: [], initializers: [], valueInfo: [] },
    metadata: {},
  };
  for (const f of readFields(bytes)) {
    if (f.field === 1) m.irVersion = int(f);
    else if (f.field === 2) m.producerName = text(f);
    else if (f.field === 3) m.producerVersion = text(f);
    else if (f.field === 6) m.docString = text(f);
    else if (f.field === 7) m.graph = decodeGraph(f.bytes!);
    else if (f.field === 8) {
      const o = { domain: '', version: 0 };
      for (const e of readFields(f.bytes!)) {
        if (e.field === 1) o.domain = text(e);
        if (e.field === 2) o.version = int(e);
      }
      m.opsetImports.push(o);
    } else if (f.field === 14) {
      let key = '';
      let value = '';
      for (const e of readFields(f.bytes!)) {
        if (e.field === 1) key = text(e);
        if (e.field === 2) value = text(e);
      }
      m.metadata[key] = value;
    }
  }
  return m;
}
