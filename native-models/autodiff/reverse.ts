import type { GraphBuilder } from '../graph/builder';
import type { Value } from '../graph/value';

/**
 * Elements first, first-1, ..., first-count+1 of `axis`, via Gather with constant indices. Used instead of
 * a negative-step Slice: onnxruntime's WebGPU EP (1.30) returns wrong data for negative-step Slice unless it
 * starts at the last element.
 */
export function reversedRange(b: GraphBuilder, v: Value, axis: number, first: number, count: number): Value {
  const indices = Array.from({ length: count }, (_, k) => first - k);
  return b.gather(v, indices, axis);
}

export function reverseAxis(b: GraphBuilder, v: Value, axis: number): Value {
  return reversedRange(b, v, axis, v.shape[axis]! - 1, v.shape[axis]!);
}
