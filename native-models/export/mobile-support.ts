/**
 * Operators each phone runtime runs natively, from ONNX Runtime's published support tables
 * (docs/execution-providers: CoreML ML Program, NNAPI). Ops outside a table still run, but ONNX Runtime
 * partitions the graph and runs them on the phone's CPU, which costs copies and speed; export warns about them.
 */
// biome-ignore format: an operator table kept a few names per line, as the support table it copies
const COREML_ML_PROGRAM = new Set([
  'Add', 'ArgMax', 'AveragePool', 'Cast', 'Clip', 'Concat', 'Conv', 'ConvTranspose', 'Cos', 'DepthToSpace', 'Ceil', 'Div',
  'Elu', 'Erf', 'Exp', 'GatherND', 'Gemm', 'Gelu', 'GlobalAveragePool', 'GlobalMaxPool', 'GridSample',
  'GroupNormalization', 'HardSigmoid', 'Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu', 'MatMul',
  'MaxPool', 'Max', 'Mul', 'Pow', 'PRelu', 'Range', 'Reciprocal', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'Relu',
  'Reshape', 'Resize', 'Round', 'Shape', 'Sin', 'Slice', 'Softplus', 'Split', 'Sub', 'Sigmoid', 'Softmax', 'Sqrt',
  'Squeeze', 'Tanh', 'Tile', 'Transpose', 'Unsqueeze',
]);

// biome-ignore format: an operator table kept a few names per line, as the support table it copies
const NNAPI = new Set([
  'Abs', 'Add', 'AveragePool', 'Cast', 'Clip', 'Concat', 'Conv', 'DepthToSpace', 'DequantizeLinear', 'Div', 'Elu', 'Exp',
  'Flatten', 'Floor', 'Gather', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'Identity', 'Log', 'MatMul', 'MaxPool',
  'Max', 'Min', 'Mul', 'Neg', 'Pad', 'Pow', 'PRelu', 'QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'Relu',
  'Reshape', 'Resize', 'Sigmoid', 'Sin', 'Slice', 'Softmax', 'Sqrt', 'Squeeze', 'Sub', 'Tanh', 'Transpose', 'Unsqueeze',
]);

export interface MobileSupportReport {
  runtime: 'coreml' | 'nnapi';
  label: string;
  /** Ops of the model the runtime does not run natively (they fall back to the phone's CPU). */
  unsupported: string[];
}

export function mobileSupport(operators: readonly string[]): MobileSupportReport[] {
  return [
    { runtime: 'coreml', label: 'Core ML (iOS, ML Program)', unsupported: operators.filter((op) => !COREML_ML_PROGRAM.has(op)) },
    { runtime: 'nnapi', label: 'NNAPI (Android)', unsupported: operators.filter((op) => !NNAPI.has(op)) },
  ];
}

/**
 * ONNX Runtime's reduced-build operator config (`required_operators.config`): building ORT Mobile with it
 * keeps exactly the kernels this model needs. Format: `domain;opset;Op1,Op2`.
 */
export function reducedBuildConfig(operators: readonly string[], opset: number): string {
  return `# Operators required by this E2GAN bundle (onnxruntime --include_ops_by_config)\nai.onnx;${opset};${[...operators].sort().join(',')}\n`;
}

/** Common real-time effect platforms cap an effect's total size around this (e.g. 8 MB). */
export const EFFECT_SIZE_BUDGET_BYTES = 8 * 1024 * 1024;
