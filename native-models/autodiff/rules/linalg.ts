/** Gradient rules for MatMul and Gemm. */
import type { Value } from '../../graph/value';
import type { GraphBuilder } from '../../graph/builder';
import { dy, type GradientRule } from '../types';

function swapLastTwo(b: GraphBuilder, v: Value): Value {
  const perm = [...v.shape.keys()];
  [perm[v.rank - 2], perm[v.rank - 1]] = [perm[v.rank - 1]!, perm[v.rank - 2]!];
  return b.transpose(v, perm);
}

export const matmulGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [a, w] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const ga = ctx.needs[0] ? b.matmul(g, swapLastTwo(b, w)) : null;
  let gw: Value | null = null;
  if (ctx.needs[1]) {
    if (w.rank === 2 && a.rank > 2) {
      // A shared weight: fold every batch row into one GEMM instead of a batched product summed afterwards.
      const k = a.shape[a.rank - 1]!;
      const flatA = b.reshape(a, [-1, k]);
      const flatG = b.reshape(g, [-1, g.shape[g.rank - 1]!]);
      gw = b.matmul(b.transpose(flatA, [1, 0]), flatG);
    } else {
      gw = b.matmul(swapLastTwo(b, a), g);
    }
  }
  return [ga, gw];
};

export const gemmGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [a, w] = [node.input(0), node.input(1)];
  const alpha = node.float('alpha', 1);
  const beta = node.float('beta', 1);
  const transA = node.int('transA', 0) === 1;
  const transB = node.int('transB', 0) === 1;
  const g = dy(ctx);
  // Y = alpha * A' B' + beta * C with A' = op(A), B' = op(B); each case below is one Gemm.
  let ga: Value | null = null;
  if (ctx.needs[0]) {
    ga = transA ? b.gemm(w, g, undefined, { alpha, transA: transB, transB: true }) : b.gemm(g, w, undefined, { alpha, transB: !transB });
  }
  let gw: Value | null = null;
  if (ctx.needs[1]) {
    gw = transB ? b.gemm(g, a, undefined, { alpha, transA: true, transB: transA }) : b.gemm(a, g, undefined, { alpha, transA: !transA });
  }
  const gc = node.inputs[2] && ctx.needs[2] ? (beta === 1 ? g : b.mul(g, beta)) : null;
  return [ga, gw, gc];
};
