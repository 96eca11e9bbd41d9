/**
 * The runtime: the only module that imports onnxruntime-node. Everything else in the engine builds graphs
 * as bytes and runs them through these functions.
 */
export {
  autoProviderChain,
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
export { SessionCache, graphHash } from './session-cache';
export { DeviceReader } from './device-readback';
export {
  TrainState,
  validateStepProgram,
  type DataInput,
  type StateBinding,
  type StepProgram,
  type StepResult,
  type TrainStateOptions,
} from './train-state';
export { ComputeClient, ComputeWorkerError } from './compute-client';
export type { ComputeProtocol, LoadedTrainStateInfo, OpenedSessionInfo, StateRef, WireTensor } from './compute-protocol';
export {
  describeProviderAdapters,
  linuxGpus,
  vulkanDrivers,
  type AdapterEnvironment,
  type AdapterKind,
  type GpuAdapter,
  type ProviderAdapters,
} from './adapters';
