import { tensorFromValues, toFloat32Array, type Feeds, type RuntimeSession, type Tensor } from '../../runtime/index';
import type { FloatDType, TimestepDType, UnetSignature } from '../signatures';

export function floatTensor(dtype: FloatDType, values: Float32Array, dims: readonly number[]): Tensor {
  return tensorFromValues(dtype, values, dims);
}

/** The timestep in the dtype and shape the UNet declares, for `rows` batch rows. */
export function timestepTensor(signature: Pick<UnetSignature, 'timestepDtype' | 'timestepShape'>, timestep: number, rows: number): Tensor {
  const dtype: TimestepDType = signature.timestepDtype;
  // Integer exports take the discrete training timestep; Euler's fractional ones are rounded like diffusers' int cast.
  const value = dtype === 'int64' || dtype === 'int32' ? Math.round(timestep) : timestep;
  switch (signature.timestepShape) {
    case 'scalar':
      return tensorFromValues(dtype, [value], []);
    case 'single':
      return tensorFromValues(dtype, [value], [1]);
    case 'batch':
      return tensorFromValues(dtype, new Array<number>(rows).fill(value), [rows]);
  }
}

/**
 * Runs a session over `rows` batch rows and returns the named output as float32 rows concatenated.
 * Exports with a fixed batch size run in chunks of that size; a short last chunk is padded by repeating
 * its last row and the padding's outputs are dropped. `feedsFor(rowIndices)` builds one chunk's feeds.
 */
export async function runInChunks(
  session: RuntimeSession,
  rows: number,
  fixedBatch: number | undefined,
  output: string,
  feedsFor: (rowIndices: readonly number[]) => Feeds,
): Promise<Float32Array> {
  const chunk = fixedBatch ?? rows;
  const parts: Float32Array[] = [];
  for (let start = 0; start < rows; start += chunk) {
    const real = Math.min(chunk, rows - start);
    const indices = Array.from({ length: chunk }, (_, i) => start + Math.min(i, real - 1));
    const result = await session.run(feedsFor(indices), [output]);
    const tensor = result[output];
    if (!tensor) throw new Error(`${session.label}: output '${output}' missing from the result`);
    const values = toFloat32Array(tensor);
    parts.push(real === chunk ? values : values.subarray(0, (values.length / chunk) * real));
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Copies rows [start, start + count) of a row-major buffer with `rowSize` values per row. */
export function sliceRows(buffer: Float32Array, rowSize: number, start: number, count: number): Float32Array {
  return buffer.subarray(start * rowSize, (start + count) * rowSize);
}
