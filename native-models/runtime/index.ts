/**
 * The runtime: the only module that imports onnxruntime-node. Everything else in the engine builds graphs
 * as bytes and runs them through these functions.
 */
export {
  EXECUTION_PROVIDER_NAMES,
  isExecutionProviderName,
  platformProviderChain,
  resolveProviderChain,
  supportsDeviceOutputs,
  type ExecutionProviderName,
} from './execution-providers';
export {
  OpenSessionError,
  RuntimeSession,
  openSession,
  type Feeds,
  type GraphOptimizationLevel,
  type OpenSessionOptions,
  type Outputs,
  type ProviderAttempt,
  type ValueInfo,
} from './session';
export { probeExecutionProviders, type ProbeOptions, type ProviderProbeResult } from './probe';
export {
  TENSOR_DTYPES,
  Tensor,
  createTensor,
  elementCount,
  isOnDevice,
  scalar,
  tensorFromValues,
  toFloat32Array,
  zeros,
  type TensorDType,
  type TensorStorage,
} from './tensor';
