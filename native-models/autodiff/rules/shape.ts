/** Gradient rules for data-movement ops: each maps the output gradient back onto the input layout. */
import type { GraphBuilder } from '../../graph/builder';
import type { GraphNode } from '../../graph/graph-node';
import { sliceAxisRange } from '../../graph/shape-inference';
import type { Value } from '../../graph/value';
import { reverseAxis, reversedRange } from '../reverse';
import { dy, type GradientRule } from '../types';

function constInts(b: GraphBuilder, node: GraphNode, index: number, what: string): number[] {
  const v = node.inputs[index];
  if (!v) throw new Error(`${node}: ${what} input is missing`);
  const values = b.constantInts(v);
  if (!values) throw new Error(`${node}: gradient needs ${what} to be a constant, but '${v.name}' is computed`);
  return values;
}

/** Reshape, Squeeze, Unsqueeze, Flatten all only change the view. */
export const reshapeGrad: GradientRule = (ctx) => [ctx.b.reshape(dy(ctx), ctx.node.input(0).shape), null];

export const transposeGrad: GradientRule = (ctx) => {
  const perm = ctx.node.ints('perm', []);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.b.transpose(dy(ctx), inverse)];
};

/** Expand: the walker's un-broadcast sums the gradient back to the input shape. */
export const expandGrad: GradientRule = (ctx) => [dy(ctx), null];

export const concatGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const axis = node.int('axis', 0);
  let offset = 0;
  return node.inputs.map((input, i) => {
    const size = input!.shape[axis]!;
    const start = offset;
    offset += size;
    return ctx.needs[i] ? b.slice(dy(ctx), { starts: [start], ends: [start + size], axes: [axis] }) : null;
  });
};

export const splitGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const axis = node.int('axis', 0);
  const parts = node.outputs.map((out, i) => ctx.outputGrads[i] ?? b.expand(b.scalar(0, out.dtype), out.shape));
  return [b.concat(parts, axis), null];
};

/** Places g (the gradient of a strided slice along one axis) back into an axis of length `length`. */
function unsliceAxis(b: GraphBuilder, g: Value, axis: number, length: number, start: number, step: number, count: number): Value {
  let placed = g;
  let first = start;
  if (step < 0) {
    // A reversed slice: flip the gradient so it runs in increasing input order.
    placed = reverseAxis(b, placed, axis);
    first = start + (count - 1) * step;
  }
  const stride = Math.abs(step);
  if (stride > 1) {
    // Interleave stride-1 zeros after every element: [.., n, 1, ..] ++ zeros [.., n, s-1, ..] -> [.., n*s, ..].
    const withAxis = b.unsqueeze(placed, [axis + 1]);
    const zerosShape = [...withAxis.shape];
    zerosShape[axis + 1] = stride - 1;
    const zeros = b.expand(b.scalar(0, g.dtype), zerosShape);
    const merged = [...g.shape];
    merged[axis] = count * stride;
    placed = b.reshape(b.concat([withAxis, zeros], axis + 1), merged);
    if (first + count * stride > length) {
      placed = b.slice(placed, { starts: [0], ends: [length - first], axes: [axis] });
    }
  }
  const pads = new Array<number>(2 * g.rank).fill(0);
  pads[axis] = first;
  pads[axis + g.rank] = length - first - placed.shape[axis]!;
  return pads.some((p) => p !== 0) ? b.pad(placed, pads) : placed;
}

export const sliceGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const starts = constInts(b, node, 1, 'starts');
  const ends = constInts(b, node, 2, 'ends');
  const axes = node.inputs[3] ? constInts(b, node, 3, 'axes') : starts.map((_, i) => i);
  const steps = node.inputs[4] ? constInts(b, node, 4, 'steps') : axes.map(() => 1);
  let g = dy(ctx);
  axes.forEach((rawAxis, i) => {
    const axis = rawAxis < 0 ? rawAxis + x.rank : rawAxis;
    const range = sliceAxisRange(x.shape[axis]!, starts[i]!, ends[i]!, steps[i]!);
    if (range.length === 0) throw new Error(`${node}: empty slice on axis ${axis} has no gradient path`);
    g = unsliceAxis(b, g, axis, x.shape[axis]!, range.start, range.step, range.length);
  });
  return [g, null, null, null, null];
};

export const padGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const pads = constInts(b, node, 1, 'pads');
  const mode = node.string('mode', 'constant');
  if (pads.some((p) => p < 0)) throw new Error(`${node}: gradient of Pad with negative (cropping) pads is not supported`);
  let g = dy(ctx);
  for (let axis = 0; axis < x.rank; axis++) {
    const [before, after] = [pads[axis]!, pads[axis + x.rank]!];
    if (before === 0 && after === 0) continue;
    const length = x.shape[axis]!;
    const total = g.shape[axis]!;
    const centre = b.slice(g, { starts: [before], ends: [before + length], axes: [axis] });
    const pieces: Value[] = [centre];
    const placeAt = (piece: Value, first: number): Value => {
      const p = new Array<number>(2 * x.rank).fill(0);
      p[axis] = first;
      p[axis + x.rank] = length - first - piece.shape[axis]!;
      return b.pad(piece, p);
    };
    if (mode === 'reflect') {
      // Padded position before-1-k mirrors x[k+1]; position before+length+k mirrors x[length-2-k].
      if (before > 0) {
        pieces.push(placeAt(reversedRange(b, g, axis, before - 1, before), 1));
      }
      if (after > 0) {
        pieces.push(placeAt(reversedRange(b, g, axis, total - 1, after), length - 1 - after));
      }
    } else if (mode === 'edge') {
      if (before > 0) pieces.push(placeAt(b.reduceSum(b.slice(g, { starts: [0], ends: [before], axes: [axis] }), [axis], true), 0));
      if (after > 0) pieces.push(placeAt(b.reduceSum(b.slice(g, { starts: [before + length], ends: [total], axes: [axis] }), [axis], true), length - 1));
    } else if (mode !== 'constant') {
      throw new Error(`${node}: no gradient for Pad mode '${mode}'`);
    }
    g = pieces.reduce((sum, piece) => b.add(sum, piece));
  }
  return [g, null, null];
};

export const depthToSpaceGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const block = node.int('blocksize', 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const c2 = c / (block * block);
  const split = b.reshape(dy(ctx), [n, c2, h, block, w, block]);
  // Undo the forward permutation with Reshape/Transpose (SpaceToDepth has no WebGPU kernel).
  // DCR forward: [N, b, b, C', H, W] -> (0,3,4,1,5,2); CRD forward: [N, C', b, b, H, W] -> (0,1,4,2,5,3).
  const perm = node.string('mode', 'DCR') === 'DCR' ? [0, 3, 5, 1, 2, 4] : [0, 1, 3, 5, 2, 4];
  return [b.reshape(b.transpose(split, perm), [n, c, h, w])];
};

/** SpaceToDepth forward: [N, C, H', b, W', b] -> (0,3,5,1,2,4) -> [N, b, b, C, H', W']; undone here. */
export const spaceToDepthGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const block = node.int('blocksize', 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const split = b.reshape(dy(ctx), [n, block, block, c, h / block, w / block]);
  return [b.reshape(b.transpose(split, [0, 3, 4, 1, 5, 2]), [n, c, h, w])];
};
