import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file';
import { bfloat16ArrayToFloat32, float16ArrayToFloat32, float32ArrayToFloat16 } from './float16';

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON mapping each
 * tensor name to {dtype, shape, data_offsets:[begin,end]} (offsets relative to the byte buffer that follows) plus
 * an optional "__metadata__" string->string map, then the raw little-endian tensor bytes. Used for checkpoints,
 * LoRA-only concept deltas and the shipped base model.
 */
export const SAFETENSORS_DTYPES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

export interface SafeTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Raw little-endian element bytes, exactly elementCount(shape) * itemSize(dtype) long. */
  readonly bytes: Uint8Array;
}

export interface SafetensorsContents {
  readonly tensors: Map<string, SafeTensor>;
  readonly metadata: Record<string, string>;
}

/** Refuses absurd headers before JSON.parse allocates for them (the reference implementation caps at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Builds a tensor from typed data; the dtype follows the array type (Float32Array -> F32, ...). */
export function tensorFromArray(
  shape: readonly number[],
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array,
): SafeTensor {
  const dtype: SafetensorsDtype =
    data instanceof Float32Array
      ? 'F32'
      : data instanceof Float64Array
        ? 'F64'
        : data instanceof Int32Array
          ? 'I32'
          : data instanceof BigInt64Array
            ? 'I64'
            : data instanceof Int8Array
              ? 'I8'
              : data instanceof Uint16Array
                ? 'U16'
                : data instanceof Int16Array
                  ? 'I16'
                  : 'U8';
  if (elementCount(shape) !== data.length) {
    throw new SafetensorsError(`shape [${shape.join(', ')}] holds ${elementCount(shape)} elements but data has ${data.length}`);
  }
  return { dtype, shape: [...shape], bytes: bytesOf(data).slice() };
}

/** A float32 array stored as F16 (half the bytes; used for the shipped base and concept deltas). */
export function f16TensorFromFloat32(shape: readonly number[], data: Float32Array): SafeTensor {
  if (elementCount(shape) !== data.length) {
    throw new SafetensorsError(`shape [${shape.join(', ')}] holds ${elementCount(shape)} elements but data has ${data.length}`);
  }
  return { dtype: 'F16', shape: [...shape], bytes: bytesOf(float32ArrayToFloat16(data)) };
}

function aligned(tensor: SafeTensor): ArrayBuffer {
  // Typed-array views need element-aligned offsets; a slice of the file buffer usually is not aligned.
  return tensor.bytes.slice().buffer as ArrayBuffer;
}

/** Any floating-point tensor (F32/F16/BF16/F64) as float32. */
export function toFloat32(tensor: SafeTensor, name = 'tensor'): Float32Array {
  switch (tensor.dtype) {
    case 'F32':
      return new Float32Array(aligned(tensor));
    case 'F16':
      return float16ArrayToFloat32(new Uint16Array(aligned(tensor)));
    case 'BF16':
      return bfloat16ArrayToFloat32(new Uint16Array(aligned(tensor)));
    case 'F64':
      return Float32Array.from(new Float64Array(aligned(tensor)));
    default:
      throw new SafetensorsError(`${name}: expected a floating-point dtype (F32/F16/BF16/F64), got ${tensor.dtype}`);
  }
}

export function toBigInt64(tensor: SafeTensor, name = 'tensor'): BigInt64Array {
  if (tensor.dtype !== 'I64') throw new SafetensorsError(`${name}: expected dtype I64, got ${tensor.dtype}`);
  return new BigInt64Array(aligned(tensor));
}

export function encodeSafetensors(tensors: Map<string, SafeTensor> | Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors] : Object.entries(tensors))
    // Sorted by name so the same tensors always give the same bytes (content hashes stay stable).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new SafetensorsError(`metadata '${key}': expected a string value, got ${typeof value}`);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(`'__metadata__' is reserved and cannot name a tensor`);
    const expected = elementCount(tensor.shape) * SAFETENSORS_DTYPES[tensor.dtype];
    if (tensor.bytes.byteLength !== expected) {
      throw new SafetensorsError(`${name}: ${tensor.dtype} [${tensor.shape.join(', ')}] needs ${expected} bytes, got ${tensor.bytes.byteLength}`);
    }
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.byteLength;
  for (const [, tensor] of entries) {
    out.set(tensor.bytes, position);
    position += tensor.bytes.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors buffer'): SafetensorsContents {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${source}: ${why}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerEnd = 8 + Number(headerLength);
  if (headerEnd > bytes.byteLength) fail(`header length ${headerLength} runs past the end of the ${bytes.byteLength}-byte file`);
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(headerLength)).toString('utf8');
  if (!headerText.startsWith('{')) fail(`header must be a JSON object starting with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const data = bytes.subarray(headerEnd);
  const metadata: Record<string, string> = {};
  const ranges: Array<{ name: string; begin: number; end: number }> = [];
  const tensors = new Map<string, SafeTensor>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`__metadata__ must be an object of strings`);
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string') fail(`__metadata__.${key}: expected a string, got ${JSON.stringify(value)}`);
        metadata[key] = value as string;
      }
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) fail(`tensor '${name}': expected an object, got ${JSON.stringify(raw)}`);
    const dtype = entry.dtype;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
      fail(`tensor '${name}': unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * SAFETENSORS_DTYPES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      fail(`tensor '${name}': ${dtype} [${(shape as number[]).join(', ')}] needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    if (end > data.byteLength) fail(`tensor '${name}': data_offsets end ${end} is past the ${data.byteLength}-byte data section (truncated file?)`);
    ranges.push({ name, begin, end });
    tensors.set(name, { dtype: dtype as SafetensorsDtype, shape: shape as number[], bytes: data.subarray(begin, end) });
  }
  // The format requires the tensors to tile the data section exactly: no overlaps, no holes, no trailing bytes.
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const range of ranges) {
    if (range.begin !== cursor) {
      fail(
        range.begin < cursor
          ? `tensor '${range.name}' overlaps the previous tensor at byte ${range.begin}`
          : `gap before tensor '${range.name}' (bytes ${cursor}..${range.begin} unused)`,
      );
    }
    cursor = range.end;
  }
  if (cursor !== data.byteLength) fail(`${data.byteLength - cursor} trailing bytes after the last tensor`);
  return { tensors, metadata };
}

export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  const bytes = await readFile(path);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Written atomically: a crash mid-write leaves the previous file intact. */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, SafeTensor> | Record<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
