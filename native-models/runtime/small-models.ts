/**
 * Tiny helper graphs the runtime itself needs (provider probe, device read-back), generated from code
 * through the ONNX low layer so their shapes can stay symbolic.
 */
import { encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../onnx';
import type { DType } from '../onnx';

/** y = x * 2 + 1 over a float32 [n] vector: exercises an initializer, two kernels and a symbolic dim. */
export function buildProbeModel(): Uint8Array {
  const graph = makeGraph(
    [makeNode('Mul', ['x', 'two'], ['doubled'], { name: 'probe.mul' }), makeNode('Add', ['doubled', 'one'], ['y'], { name: 'probe.add' })],
    'probe',
    [makeValueInfo('x', 'float32', ['n'])],
    [makeValueInfo('y', 'float32', ['n'])],
    [makeTensor('two', 'float32', [1], Float32Array.of(2)), makeTensor('one', 'float32', [1], Float32Array.of(1))],
  );
  return encodeModel(makeModel(graph));
}

/** Expected probe output for an input, so a probe checks numbers, not only that a session opened. */
export function probeExpected(x: Float32Array): Float32Array {
  return x.map((v) => v * 2 + 1);
}

/**
 * An Identity of the given dtype and rank with symbolic dims. A session of it on the same device without
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
