/**
 * Messages between the compute worker and its client. One table maps each request kind to its payload and
 * result, so the client and the worker cannot drift apart.
 */
import type { ExecutionProviderName } from './execution-providers';
import type { ProviderProbeResult } from './probe';
import type { OpenSessionOptions, ProviderAttempt, ValueInfo } from './session';
import type { TensorDType, TensorStorage } from './tensor';
import type { StepProgram, StepResult, TrainStateOptions } from './train-state';

/** A batch entry that is the current value of another train state's entry in the same worker (no copy). */
export interface StateRef {
  fromState: { stateId: number; name: string };
}

/** A tensor as plain data, structured-clone safe. */
export type WireTensor = { [K in TensorDType]: { dtype: K; dims: number[]; data: TensorStorage[K] } }[TensorDType];

export interface OpenedSessionInfo {
  sessionId: number;
  executionProvider: ExecutionProviderName;
  providerAttempts: ProviderAttempt[];
  inputMetadata: ValueInfo[];
  outputMetadata: ValueInfo[];
}

export interface LoadedTrainStateInfo {
  stateId: number;
  executionProvider: ExecutionProviderName;
  providerAttempts: ProviderAttempt[];
}

export interface ComputeProtocol {
  ping: { payload: Record<string, never>; result: { threadId: number } };
  probe: { payload: { candidates?: ExecutionProviderName[] }; result: ProviderProbeResult[] };
  openSession: { payload: { model: Uint8Array; options: OpenSessionOptions }; result: OpenedSessionInfo };
  run: { payload: { sessionId: number; feeds: Record<string, WireTensor>; outputs?: string[] }; result: Record<string, WireTensor> };
  closeSession: { payload: { sessionId: number }; result: null };
  loadTrainStep: {
    payload: { program: StepProgram; initial: Record<string, Float32Array>; options: TrainStateOptions };
    result: LoadedTrainStateInfo;
  };
  trainStep: { payload: { stateId: number; data: Record<string, WireTensor | StateRef>; learningRate: number }; result: StepResult };
  readState: { payload: { stateId: number; names?: string[] }; result: Record<string, Float32Array> };
  releaseState: { payload: { stateId: number }; result: null };
}

export type ComputeRequestKind = keyof ComputeProtocol;

export interface ComputeRequest<K extends ComputeRequestKind = ComputeRequestKind> {
  id: number;
  kind: K;
  payload: ComputeProtocol[K]['payload'];
}

export type ComputeResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string; stack?: string } };
