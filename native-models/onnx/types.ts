/** Plain-data mirror of the ONNX protobuf messages we produce (subset of onnx.proto, IR version 8). */

export type DType = 'float32' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'int64' | 'bool' | 'float16' | 'float64' | 'uint32' | 'uint64' | 'bfloat16';

/** TensorProto.DataType enum values from onnx.proto. */
export const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
  float64: 8,
  uint32: 4,
  uint64: 8,
  bfloat16: 2,
};

export function dtypeFromOnnx(code: number): DType {
  for (const [name, value] of Object.entries(ONNX_DATA_TYPE)) if (value === code) return name as DType;
  throw new Error(`unsupported ONNX data type code ${code}`);
}

export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number;
}

export interface TensorProto {
  name: string;
  dataType: DType;
  dims: number[];
  /** Little-endian element bytes; absent when the data lives in an external file. */
  rawData?: Uint8Array;
  external?: ExternalDataRef;
}

export type AttributeProto =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'tensor'; value: TensorProto }
  | { name: string; type: 'graph'; value: GraphProto }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'ints'; value: number[] }
  | { name: string; type: 'strings'; value: string[] };

/** AttributeProto.AttributeType enum values from onnx.proto. */
export const ONNX_ATTRIBUTE_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;

export interface NodeProto {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Always sorted by name (makeNode sorts) so equal graphs encode to equal bytes. */
  attributes: AttributeProto[];
}

/** A dimension is a fixed size or a symbolic name (e.g. 'batch'). */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers: TensorProto[];
  valueInfo: ValueInfoProto[];
}

export interface OperatorSetId {
  domain: string;
  version: number;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  metadata: Record<string, string>;
}
