/** Gradient rule for Resize (nearest / linear) on the last two axes of NCHW tensors. */
import type { Value } from '../../graph/value';
import { replicationFactor, resizeAxisMatrix, type ResizeAxisSpec } from '../resize-matrix';
import { dy, type GradientRule } from '../types';

export const resizeGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const g = dy(ctx);
  const y = node.outputs[0]!;
  const scalesInput = node.inputs[2];
  const scales = scalesInput ? b.constantFloats(scalesInput) : undefined;
  if (scalesInput && !scales) throw new Error(`${node}: gradient needs constant scales`);
  for (let a = 0; a < x.rank - 2; a++) {
    if (x.shape[a] !== y.shape[a]) throw new Error(`${node}: gradient supports resizing only the last two axes, axis ${a} changes`);
  }
  let grad: Value = g;
  // Undo the width axis, then the height axis: Resize is separable, so dX = A_h^T dY A_w.
  for (const axis of [x.rank - 1, x.rank - 2]) {
    const spec: ResizeAxisSpec = {
      inSize: x.shape[axis]!,
      outSize: y.shape[axis]!,
      scale: scales && scales.length > 0 ? scales[axis]! : y.shape[axis]! / x.shape[axis]!,
      mode: node.string('mode', 'nearest'),
      coordinateTransformationMode: node.string('coordinate_transformation_mode', 'half_pixel'),
      nearestMode: node.string('nearest_mode', 'round_prefer_floor'),
    };
    if (spec.inSize === spec.outSize && spec.scale === 1) continue;
    const matrix = resizeAxisMatrix(spec);
    const factor = replicationFactor(matrix, spec);
    if (factor !== null) {
      const split = [...grad.shape];
      split.splice(axis, 1, spec.inSize, factor);
      grad = b.reduceSum(b.reshape(grad, split), [axis + 1], false);
    } else if (axis === x.rank - 1) {
      grad = b.matmul(grad, b.constant(Array.from(matrix), [spec.outSize, spec.inSize], x.dtype));
    } else {
      const transposed = new Float32Array(spec.inSize * spec.outSize);
      for (let o = 0; o < spec.outSize; o++) for (let i = 0; i < spec.inSize; i++) transposed[i * spec.outSize + o] = matrix[o * spec.inSize + i]!;
      grad = b.matmul(b.constant(Array.from(transposed), [spec.inSize, spec.outSize], x.dtype), grad);
    }
  }
  return [grad, null, null, null];
};
