/** Pure static-shape helpers used by the builder; every failure names the op/node and the shapes involved. */

export type Shape = readonly number[];

export const numel = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const fmtShape = (shape: Shape): string => `[${shape.join(', ')}]`;

export class ShapeError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'ShapeError';
  }
}

/** Numpy-style multidirectional broadcasting (ONNX Broadcasting.md). */
export function broadcastShapes(where: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && dim !== d) {
        throw new ShapeError(where, `cannot broadcast shapes ${shapes.map(fmtShape).join(' and ')} (axis ${i}: ${dim} vs ${d})`);
      }
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

export function normalizeAxis(where: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(where, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function normalizeAxes(where: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normalizeAxis(where, a, rank));
  if (new Set(out).size !== out.length) throw new ShapeError(where, `duplicate axes [${axes.join(', ')}]`);
  return out;
}

/** Resolves 0 (copy input dim) and a single -1 (infer) like ONNX Reshape with allowzero=0. */
export function resolveReshape(where: string, input: Shape, target: readonly number[]): number[] {
  const out = target.map((d, i) => {
    if (d === 0) {
      if (i >= input.length) throw new ShapeError(where, `0 at position ${i} but input ${fmtShape(input)} has rank ${input.length}`);
      return input[i]!;
    }
    return d;
  });
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1) throw new ShapeError(where, `more than one -1 in target shape [${target.join(', ')}]`);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (inferred === 1) {
    if (known === 0 || numel(input) % known !== 0) {
      throw new ShapeError(where, `cannot reshape ${fmtShape(input)} to [${target.join(', ')}]`);
    }
    out[out.indexOf(-1)] = numel(input) / known;
  }
  if (out.some((d) => d < 0 || !Number.isInteger(d)) || numel(out) !== numel(input)) {
    throw new ShapeError(where, `cannot reshape ${fmtShape(input)} (${numel(input)} elements) to [${target.join(', ')}]`);
  }
  return out;
}

export interface SliceAxisRange {
  start: number;
  step: number;
  length: number;
}

/** ONNX Slice clamping semantics for one axis. */
export function sliceAxisRange(dim: number, start: number, end: number, step: number): SliceAxisRange {
  if (step === 0) throw new Error('Slice step must not be 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: s, step, length: Math.max(0, Math.ceil((e - s) / step)) };
  }
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: s, step, length: Math.max(0, Math.ceil((s - e) / -step)) };
}

/** Output size of one spatial axis of Conv / pooling. */
export function convOutputSize(inSize: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((inSize + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output size of one spatial axis of ConvTranspose (explicit pads, no output_shape). */
export function convTransposeOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  outputPadding: number,
): number {
  return stride * (inSize - 1) + outputPadding + ((kernel - 1) * dilation + 1) - padBegin - padEnd;
}
