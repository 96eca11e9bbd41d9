/** Gradient rules for elementwise and activation ops. Sign is never emitted (no WebGPU kernel). */
import { dy, type GradientContext, type GradientRule } from '../types';

export const addGrad: GradientRule = (ctx) => [ctx.needs[0] ? dy(ctx) : null, ctx.needs[1] ? dy(ctx) : null];

export const subGrad: GradientRule = (ctx) => [ctx.needs[0] ? dy(ctx) : null, ctx.needs[1] ? ctx.b.neg(dy(ctx)) : null];

export const mulGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  return [ctx.needs[0] ? b.mul(dy(ctx), node.input(1)) : null, ctx.needs[1] ? b.mul(dy(ctx), node.input(0)) : null];
};

export const divGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [, denominator] = [node.input(0), node.input(1)];
  const gx = ctx.needs[0] ? b.div(dy(ctx), denominator) : null;
  // d(a/b)/db = -(a/b)/b, reusing the forward output instead of recomputing a/b².
  const gy = ctx.needs[1] ? b.neg(b.div(b.mul(dy(ctx), node.outputs[0]!), denominator)) : null;
  return [gx, gy];
};

export const powGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [base, exponent] = [node.input(0), node.input(1)];
  const y = node.outputs[0]!;
  const gBase = ctx.needs[0] ? b.mul(b.mul(dy(ctx), exponent), b.pow(base, b.sub(exponent, 1))) : null;
  const gExp = ctx.needs[1] ? b.mul(b.mul(dy(ctx), y), b.log(base)) : null;
  return [gBase, gExp];
};

/** Max / Min: the gradient goes to the selected operand; ties go to the first operand. */
export const maxGrad: GradientRule = (ctx) => selectGrad(ctx, 'max');
export const minGrad: GradientRule = (ctx) => selectGrad(ctx, 'min');

function selectGrad(ctx: GradientContext, kind: 'max' | 'min'): ReturnType<GradientRule> {
  const { b, node } = ctx;
  if (node.inputs.length !== 2) throw new Error(`${node}: gradient supports exactly two inputs, got ${node.inputs.length}`);
  const [a, c] = [node.input(0), node.input(1)];
  const firstWins = kind === 'max' ? b.greaterOrEqual(a, c) : b.lessOrEqual(a, c);
  return [ctx.needs[0] ? b.where(firstWins, dy(ctx), 0) : null, ctx.needs[1] ? b.where(firstWins, 0, dy(ctx)) : null];
}

export const whereGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const condition = node.input(0);
  return [null, ctx.needs[1] ? b.where(condition, dy(ctx), 0) : null, ctx.needs[2] ? b.where(condition, 0, dy(ctx)) : null];
};

export const identityGrad: GradientRule = (ctx) => [dy(ctx)];

export const negGrad: GradientRule = (ctx) => [ctx.b.neg(dy(ctx))];

export const reluGrad: GradientRule = (ctx) => [ctx.b.where(ctx.b.greater(ctx.node.input(0), 0), dy(ctx), 0)];

export const leakyReluGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const alpha = node.float('alpha', 0.01);
  return [b.where(b.greater(node.input(0), 0), dy(ctx), b.mul(dy(ctx), alpha))];
};

export const sigmoidGrad: GradientRule = (ctx) => {
  const { b } = ctx;
  const y = ctx.node.outputs[0]!;
  return [b.mul(dy(ctx), b.mul(y, b.sub(1, y)))];
};

export const tanhGrad: GradientRule = (ctx) => {
  const { b } = ctx;
  const y = ctx.node.outputs[0]!;
  return [b.mul(dy(ctx), b.sub(1, b.mul(y, y)))];
};

export const erfGrad: GradientRule = (ctx) => {
  const { b } = ctx;
  const x = ctx.node.input(0);
  return [b.mul(dy(ctx), b.mul(b.exp(b.neg(b.mul(x, x))), 2 / Math.sqrt(Math.PI)))];
};

export const sqrtGrad: GradientRule = (ctx) => [ctx.b.div(ctx.b.mul(dy(ctx), 0.5), ctx.node.outputs[0]!)];

export const expGrad: GradientRule = (ctx) => [ctx.b.mul(dy(ctx), ctx.node.outputs[0]!)];

export const logGrad: GradientRule = (ctx) => [ctx.b.div(dy(ctx), ctx.node.input(0))];

/** |x|' as a select, not Sign (Sign has no WebGPU kernel); at 0 the subgradient +1 is used. */
export const absGrad: GradientRule = (ctx) => {
  const { b } = ctx;
  return [b.where(b.greaterOrEqual(ctx.node.input(0), 0), dy(ctx), b.neg(dy(ctx)))];
};

export const reciprocalGrad: GradientRule = (ctx) => {
  const { b } = ctx;
  const y = ctx.node.outputs[0]!;
  return [b.neg(b.mul(dy(ctx), b.mul(y, y)))];
};

export const softplusGrad: GradientRule = (ctx) => [ctx.b.mul(dy(ctx), ctx.b.sigmoid(ctx.node.input(0)))];

/** Clip passes the gradient where min <= x <= max; min / max themselves are treated as constants. */
export const clipGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const x = node.input(0);
  const [lo, hi] = [node.inputs[1] ?? null, node.inputs[2] ?? null];
  let inside = lo ? b.greaterOrEqual(x, lo) : null;
  if (hi) inside = inside ? b.and(inside, b.lessOrEqual(x, hi)) : b.lessOrEqual(x, hi);
  return [inside ? b.where(inside, dy(ctx), 0) : dy(ctx), null, null];
};

export const softmaxGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const y = node.outputs[0]!;
  const axis = node.int('axis', -1);
  const dot = b.reduceSum(b.mul(dy(ctx), y), [axis], true);
  return [b.mul(y, b.sub(dy(ctx), dot))];
};

export const logSoftmaxGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const y = node.outputs[0]!;
  const axis = node.int('axis', -1);
  return [b.sub(dy(ctx), b.mul(b.exp(y), b.reduceSum(dy(ctx), [axis], true)))];
};
