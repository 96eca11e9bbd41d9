/**
 * Tiny helper graphs the runtime itself needs (provider probe, device read-back), generated from code.
 */
import { GraphBuilder } from '../graph';
import { encodeModel, makeGraph, makeModel, makeNode, makeValueInfo } from '../onnx';
import type { DType } from '../onnx';

/** y = x * 2 + 1 over a float32 [length] vector: an initializer and two kernels, checked numerically. */
export function buildProbeModel(length = 4): Uint8Array {
  const b = new GraphBuilder('probe');
  const x = b.input('x', 'float32', [length]);
  b.output(b.add(b.mul(x, b.initializer('two', [2], [1])), b.initializer('one', [1], [1])), 'y');
  return b.build();
}

/** Expected probe output for an input, so a probe checks numbers, not only that a session opened. */
export function probeExpected(x: Float32Array): Float32Array {
  return x.map((v) => v * 2 + 1);
}

/**
 * An Identity of the given dtype and rank with symbolic dims (hence the low layer: the typed builder is
 * static-shape only), so one session reads back tensors of any shape. A session of it on the same device without
 * device outputs copies a device tensor back to the CPU: onnxruntime-node 1.30 aborts the process on
 * Tensor.getData() of a gpu-buffer output, so this is the safe read-back path.
 */
export function buildIdentityModel(dtype: DType, rank: number): Uint8Array {
  const shape = Array.from({ length: rank }, (_, i) => `d${i}`);
  const graph = makeGraph(
    [makeNode('Identity', ['x'], ['y'], { name: 'readback.identity' })],
    `readback_${dtype}_${rank}`,
    [makeValueInfo('x', dtype, shape)],
    [makeValueInfo('y', dtype, shape)],
  );
  return encodeModel(makeModel(graph));
}
