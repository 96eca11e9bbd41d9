/**
 * Tensors for the rest of the engine. Callers build and read tensors through these helpers so that only
 * native-models/runtime imports onnxruntime-node.
 */
import * as ort from 'onnxruntime-node';
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../io/float16';

export type Tensor = ort.Tensor;
export const Tensor = ort.Tensor;

/** The element types the engine exchanges with ONNX Runtime. */
export type TensorDType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool';

export const TENSOR_DTYPES: readonly TensorDType[] = ['float32', 'float16', 'int64', 'int32', 'uint8', 'bool'];

/** Typed-array storage per dtype. float16 is stored as IEEE half bit patterns (Node 20 has no Float16Array). */
export interface TensorStorage {
  float32: Float32Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

const STORAGE_CTOR: { [K in TensorDType]: { new (length: number): TensorStorage[K]; name: string } } = {
  float32: Float32Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`tensor dims must be non-negative integers, got [${dims.join(', ')}]`);
    count *= d;
  }
  return count;
}

/** Wraps existing storage (no copy). Throws when the storage type or length does not match dtype and dims. */
export function createTensor<K extends TensorDType>(dtype: K, data: TensorStorage[K], dims: readonly number[]): Tensor {
  const ctor = STORAGE_CTOR[dtype];
  if (!ctor) throw new Error(`createTensor: unsupported dtype '${dtype}' (expected one of ${TENSOR_DTYPES.join(', ')})`);
  if (!(data instanceof ctor)) {
    throw new Error(`createTensor(${dtype}): expected ${ctor.name} storage, got ${(data as object)?.constructor?.name ?? typeof data}`);
  }
  const count = elementCount(dims);
  if (data.length !== count) {
    throw new Error(`createTensor(${dtype}): dims [${dims.join(', ')}] need ${count} elements, got ${data.length}`);
  }
  return new ort.Tensor(dtype, data, [...dims]);
}

export function zeros(dtype: TensorDType, dims: readonly number[]): Tensor {
  return createTensor(dtype, new STORAGE_CTOR[dtype](elementCount(dims)) as never, dims);
}

/**
 * Builds a tensor from plain numbers, converting to the dtype's storage (float16 is rounded to half,
 * int64 goes through BigInt, bool maps non-zero to 1).
 */
export function tensorFromValues(dtype: TensorDType, values: ArrayLike<number>, dims: readonly number[]): Tensor {
  const count = elementCount(dims);
  if (values.length !== count) {
    throw new Error(`tensorFromValues(${dtype}): dims [${dims.join(', ')}] need ${count} values, got ${values.length}`);
  }
  switch (dtype) {
    case 'float32':
      return createTensor('float32', Float32Array.from(values), dims);
    case 'float16':
      return createTensor('float16', float32ArrayToFloat16(Float32Array.from(values)), dims);
    case 'int64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = BigInt(Math.trunc(values[i]!));
      return createTensor('int64', out, dims);
    }
    case 'int32':
      return createTensor('int32', Int32Array.from(values), dims);
    case 'uint8':
      return createTensor('uint8', Uint8Array.from(values), dims);
    case 'bool':
      return createTensor(
        'bool',
        Uint8Array.from(values, (v) => (v ? 1 : 0)),
        dims,
      );
  }
}

export function scalar(dtype: TensorDType, value: number): Tensor {
  return tensorFromValues(dtype, [value], []);
}

/** True when the tensor's data lives on the accelerator (reading `.data` would fail). */
export function isOnDevice(tensor: Tensor): boolean {
  return tensor.location !== 'cpu' && tensor.location !== 'cpu-pinned';
}

/** Copies a CPU tensor's values out as float32 (float16 is widened; integer types converted). */
export function toFloat32Array(tensor: Tensor): Float32Array {
  if (isOnDevice(tensor)) {
    throw new Error(`toFloat32Array: tensor lives on '${tensor.location}'; read it back through the runtime first`);
  }
  switch (tensor.type) {
    case 'float32':
      return Float32Array.from(tensor.data as Float32Array);
    case 'float16':
      return float16ArrayToFloat32(tensor.data as Uint16Array);
    case 'int64':
      return Float32Array.from(tensor.data as BigInt64Array, (v) => Number(v));
    case 'int32':
    case 'uint8':
    case 'bool':
      return Float32Array.from(tensor.data as Int32Array | Uint8Array);
    default:
      throw new Error(`toFloat32Array: unsupported tensor type '${tensor.type}'`);
  }
}
