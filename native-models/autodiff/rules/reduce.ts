/** Gradient rules for reductions: broadcast the output gradient back over the reduced axes. */
import type { GraphBuilder } from '../../graph/builder';
import type { GraphNode } from '../../graph/graph-node';
import type { Value } from '../../graph/value';
import { dy, type GradientRule } from '../types';

function expandBack(b: GraphBuilder, node: GraphNode, g: Value): { expanded: Value; axes: number[] } {
  const x = node.input(0);
  const axes = b.reductionAxes(node).map((a) => (a < 0 ? a + x.rank : a));
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const kept = g.rank === x.rank ? g : b.reshape(g, keptShape);
  return { expanded: b.expand(kept, x.shape), axes };
}

export const reduceSumGrad: GradientRule = (ctx) => [expandBack(ctx.b, ctx.node, dy(ctx)).expanded, null];

export const reduceMeanGrad: GradientRule = (ctx) => {
  const x = ctx.node.input(0);
  const { expanded, axes } = expandBack(ctx.b, ctx.node, dy(ctx));
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return [ctx.b.mul(expanded, 1 / count), null];
};

/** ReduceMax / ReduceMin: every element equal to the extreme receives the gradient (ties share it in full). */
export const reduceExtremeGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const { expanded } = expandBack(b, node, dy(ctx));
  const extreme = expandBack(b, node, node.outputs[0]!).expanded;
  return [b.where(b.equal(x, extreme), expanded, 0), null];
};
