/**
 * A faster weight gradient for LoRA's down-projection conv A ([r, C_in, kh, kw], r small).
 *
 * The generic per-tap rule slices the wide input X (C_in channels) once per kernel tap. Here the narrow
 * gradient dY (r channels) is shifted instead: for tap (i, j), dY placed at offset (i, j) in a zero canvas
 * the size of padded X satisfies  sum_hw dY[h, w] · Xpad[h + i, w + j] = sum_hw' shifted[h', w'] · Xpad[h', w'].
 * All taps' shifted copies are stacked into [N, kh·kw·r, Hp·Wp] and multiplied with Xpad [N, C_in, Hp·Wp] in a
 * single GEMM, so X is read once and never copied. Stride 1 and dilation 1 only (callers fall back otherwise).
 */
import type { GraphBuilder, Value } from '../graph';

export interface ConvGeometry {
  strides: number[];
  pads: number[];
  dilations: number[];
}

export function shiftedTapsApplicable(geometry: ConvGeometry): boolean {
  return geometry.strides.every((s) => s === 1) && geometry.dilations.every((d) => d === 1) && geometry.strides.length === 2;
}

/** dA for down = Conv(x, A) given dDown = dL/d(down); returns [r, C_in, kh, kw]. */
export function convWeightGradShiftedTaps(b: GraphBuilder, x: Value, dDown: Value, kernel: readonly [number, number], geometry: ConvGeometry): Value {
  if (!shiftedTapsApplicable(geometry)) throw new Error('convWeightGradShiftedTaps: only stride 1, dilation 1 2-D convs');
  const [n, cin, h, w] = x.shape as [number, number, number, number];
  const [, r, ho, wo] = dDown.shape as [number, number, number, number];
  const [kh, kw] = kernel;
  const [top, left, bottom, right] = geometry.pads as [number, number, number, number];
  const hp = h + top + bottom;
  const wp = w + left + right;
  if (ho !== hp - kh + 1 || wo !== wp - kw + 1) {
    throw new Error(`convWeightGradShiftedTaps: dDown [${dDown.shape.join(', ')}] does not match X [${x.shape.join(', ')}] with pads [${geometry.pads.join(', ')}]`);
  }
  const xPadded = top || left || bottom || right ? b.pad(x, [0, 0, top, left, 0, 0, bottom, right]) : x;
  const xFlat = b.reshape(xPadded, [n, cin, hp * wp]);
  const shifted: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      shifted.push(b.pad(dDown, [0, 0, i, j, 0, 0, hp - ho - i, wp - wo - j]));
    }
  }
  const stacked = b.reshape(shifted.length === 1 ? shifted[0]! : b.concat(shifted, 1), [n, kh * kw * r, hp * wp]);
  // MatMul(X, Transpose(G)) is fused by ORT into one GEMM with a transposed operand.
  const perSample = b.matmul(xFlat, b.transpose(stacked, [0, 2, 1])); // [N, C_in, kh·kw·r]
  const summed = n > 1 ? b.reduceSum(perSample, [0], false) : b.reshape(perSample, [cin, kh * kw * r]);
  return b.transpose(b.reshape(summed, [cin, kh, kw, r]), [3, 0, 1, 2]);
}
