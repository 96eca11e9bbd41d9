/** The closed set of differentiable ops: op type -> gradient rule. */
import * as conv from './rules/conv';
import * as elementwise from './rules/elementwise';
import * as linalg from './rules/linalg';
import * as norm from './rules/norm';
import * as reduce from './rules/reduce';
import * as resize from './rules/resize';
import * as shape from './rules/shape';
import type { GradientRule } from './types';

export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = {
  Add: elementwise.addGrad,
  Sub: elementwise.subGrad,
  Mul: elementwise.mulGrad,
  Div: elementwise.divGrad,
  Pow: elementwise.powGrad,
  Max: elementwise.maxGrad,
  Min: elementwise.minGrad,
  Where: elementwise.whereGrad,
  Identity: elementwise.identityGrad,
  Neg: elementwise.negGrad,
  Relu: elementwise.reluGrad,
  LeakyRelu: elementwise.leakyReluGrad,
  Sigmoid: elementwise.sigmoidGrad,
  Tanh: elementwise.tanhGrad,
  Erf: elementwise.erfGrad,
  Sqrt: elementwise.sqrtGrad,
  Exp: elementwise.expGrad,
  Log: elementwise.logGrad,
  Abs: elementwise.absGrad,
  Reciprocal: elementwise.reciprocalGrad,
  Softplus: elementwise.softplusGrad,
  Clip: elementwise.clipGrad,
  Softmax: elementwise.softmaxGrad,
  LogSoftmax: elementwise.logSoftmaxGrad,
  MatMul: linalg.matmulGrad,
  Gemm: linalg.gemmGrad,
  Conv: conv.convGrad,
  ConvTranspose: conv.convTransposeGrad,
  InstanceNormalization: norm.instanceNormGrad,
  LayerNormalization: norm.layerNormGrad,
  ReduceSum: reduce.reduceSumGrad,
  ReduceMean: reduce.reduceMeanGrad,
  ReduceMax: reduce.reduceExtremeGrad,
  ReduceMin: reduce.reduceExtremeGrad,
  Reshape: shape.reshapeGrad,
  Squeeze: shape.reshapeGrad,
  Unsqueeze: shape.reshapeGrad,
  Flatten: shape.reshapeGrad,
  Transpose: shape.transposeGrad,
  Expand: shape.expandGrad,
  Concat: shape.concatGrad,
  Split: shape.splitGrad,
  Slice: shape.sliceGrad,
  Pad: shape.padGrad,
  DepthToSpace: shape.depthToSpaceGrad,
  SpaceToDepth: shape.spaceToDepthGrad,
  Resize: resize.resizeGrad,
};

/**
 * Ops whose outputs carry no gradient (piecewise constant, integer or boolean results): the walker treats
 * them as constants instead of failing.
 */
// biome-ignore format: an operator list kept a few names per line
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Cast', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Not', 'Xor',
  'Floor', 'Ceil', 'Round', 'Sign', 'ArgMax', 'ArgMin', 'IsNaN', 'IsInf', 'ConstantOfShape', 'Range', 'NonZero',
]);
