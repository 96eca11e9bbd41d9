/**
 * Low layer, mirroring onnx's helper.py: make* functions over plain data. Nothing here tracks shapes;
 * the typed builder (native-models/graph) sits on top.
 */
import {
  DTYPE_BYTES,
  type AttributeProto,
  type Dim,
  type DType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OperatorSetId,
  type TensorProto,
  type ValueInfoProto,
} from './types';

/** Opset we emit by default: 17 is the newest opset every target EP (WebGPU, DML, CoreML, CPU) covers well. */
export const DEFAULT_OPSET = 17;
/** IR version 8 pairs with opset 17 (onnx/docs/Versioning.md). */
export const DEFAULT_IR_VERSION = 8;

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  options: { name?: string; domain?: string; attributes?: AttributeProto[] } = {},
): NodeProto {
  const attributes = [...(options.attributes ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < attributes.length; i++) {
    if (attributes[i]!.name === attributes[i - 1]!.name) {
      throw new Error(`makeNode(${opType}): attribute '${attributes[i]!.name}' given twice`);
    }
  }
  return {
    name: options.name ?? '',
    opType,
    domain: options.domain ?? '',
    inputs: [...inputs],
    outputs: [...outputs],
    attributes,
  };
}

export function makeValueInfo(name: string, dtype: DType, shape: Dim[]): ValueInfoProto {
  return { name, dtype, shape: [...shape] };
}

export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array;

/**
 * Builds a TensorProto with raw little-endian data. `data` must hold exactly prod(dims) elements of dtype;
 * float16/bfloat16 data is passed as Uint16Array bit patterns, bool as Uint8Array of 0/1.
 */
export function makeTensor(name: string, dtype: DType, dims: number[], data: TensorData): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = count * DTYPE_BYTES[dtype];
  if (data.byteLength !== expectedBytes) {
    throw new Error(
      `makeTensor('${name}'): dims [${dims.join(', ')}] of ${dtype} need ${expectedBytes} bytes, got ${data.byteLength} ` +
        `(${data.constructor.name} of length ${data.length})`,
    );
  }
  // Copy so later mutation of the caller's array cannot change an already-built model.
  const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return { name, dataType: dtype, dims: [...dims], rawData };
}

export function makeGraph(
  nodes: NodeProto[],
  name: string,
  inputs: ValueInfoProto[],
  outputs: ValueInfoProto[],
  initializers: TensorProto[] = [],
  valueInfo: ValueInfoProto[] = [],
): GraphProto {
  return { name, nodes, inputs, outputs, initializers, valueInfo };
}

export function makeModel(
  graph: GraphProto,
  options: {
    opsetImports?: OperatorSetId[];
    irVersion?: number;
    producerName?: string;
    producerVersion?: string;
    docString?: string;
    metadata?: Record<string, string>;
  } = {},
): ModelProto {
  return {
    irVersion: options.irVersion ?? DEFAULT_IR_VERSION,
    opsetImports: options.opsetImports ?? [{ domain: '', version: DEFAULT_OPSET }],
    producerName: options.producerName ?? 'e2gan-studio',
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: options.docString ?? '',
    graph,
    metadata: { ...(options.metadata ?? {}) },
  };
}

export const attr = {
  float: (name: string, value: number): AttributeProto => ({ name, type: 'float', value }),
  int: (name: string, value: number): AttributeProto => {
    if (!Number.isInteger(value)) throw new Error(`attribute '${name}': expected an integer, got ${value}`);
    return { name, type: 'int', value };
  },
  string: (name: string, value: string): AttributeProto => ({ name, type: 'string', value }),
  floats: (name: string, value: number[]): AttributeProto => ({ name, type: 'floats', value: [...value] }),
  ints: (name: string, value: number[]): AttributeProto => {
    if (!value.every(Number.isInteger)) throw new Error(`attribute '${name}': expected integers, got [${value.join(', ')}]`);
    return { name, type: 'ints', value: [...value] };
  },
  strings: (name: string, value: string[]): AttributeProto => ({ name, type: 'strings', value: [...value] }),
  tensor: (name: string, value: TensorProto): AttributeProto => ({ name, type: 'tensor', value }),
};
