export { gradients } from './walker';
export { GRADIENT_RULES, NON_DIFFERENTIABLE_OPS } from './rule-table';
export { unbroadcast } from './unbroadcast';
export { convWeightGradient, type Conv2dGeometry } from './rules/conv';
export type { GradientOptions, GradientRule, GradientContext, ConvWeightGradStrategy, ConvInputGradStrategy } from './types';
export type { RecomputeOptions } from './recompute';
