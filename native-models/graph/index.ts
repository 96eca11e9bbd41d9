export {
  GraphBuilder,
  type Operand,
  type ConvOptions,
  type ConvTransposeOptions,
  type ResizeOptions,
  type SliceOptions,
  type GemmOptions,
  type BuildOptions,
  type ParameterOptions,
} from './builder';
export { GraphNode } from './graph-node';
export { Value, type ValueInfo, type ValueKind } from './value';
export { ShapeError, broadcastShapes, numel, type Shape } from './shape-inference';
export { graphHash } from './hash';
export type { DType } from '../onnx/types';
