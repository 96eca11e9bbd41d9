/**
 * Main-thread handle to a compute worker. Every method posts one typed request; results come back as
 * plain data (WireTensor, Float32Array). This file does not load onnxruntime-node itself, so UI-side
 * processes can drive training without the native module in their thread.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/ts-worker';
import type {
  ComputeProtocol,
  ComputeRequest,
  ComputeRequestKind,
  ComputeResponse,
  LoadedTrainStateInfo,
  OpenedSessionInfo,
  StateRef,
  WireTensor,
} from './compute-protocol';
import type { ExecutionProviderName } from './execution-providers';
import type { ProviderProbeResult } from './probe';
import type { OpenSessionOptions } from './session';
import type { StepProgram, StepResult, TrainStateOptions } from './train-state';

export type { StateRef, WireTensor } from './compute-protocol';

/** An error raised inside the worker, re-thrown on the caller's side with the worker's message. */
export class ComputeWorkerError extends Error {
  constructor(
    message: string,
    readonly workerName: string,
    readonly workerStack?: string,
  ) {
    super(message);
    this.name = 'ComputeWorkerError';
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class ComputeClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (response: ComputeResponse) => this.settle(response));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`compute worker exited with code ${code}`)));
  }

  /**
   * Starts a worker. `entry` defaults to the TS source next to this file (dev, tests, CLI under tsx); a
   * bundled app passes the URL of its built compute-worker.js.
   */
  static start(entry: URL = new URL('./compute-worker.ts', import.meta.url)): ComputeClient {
    return new ComputeClient(startWorker(entry));
  }

  ping(): Promise<{ threadId: number }> {
    return this.request('ping', {});
  }

  probe(candidates?: ExecutionProviderName[]): Promise<ProviderProbeResult[]> {
    return this.request('probe', candidates ? { candidates } : {});
  }

  openSession(model: Uint8Array, options: OpenSessionOptions = {}): Promise<OpenedSessionInfo> {
    return this.request('openSession', { model, options });
  }

  run(sessionId: number, feeds: Record<string, WireTensor>, outputs?: string[]): Promise<Record<string, WireTensor>> {
    return this.request('run', outputs ? { sessionId, feeds, outputs } : { sessionId, feeds });
  }

  closeSession(sessionId: number): Promise<null> {
    return this.request('closeSession', { sessionId });
  }

  loadTrainStep(program: StepProgram, initial: Record<string, Float32Array>, options: TrainStateOptions = {}): Promise<LoadedTrainStateInfo> {
    return this.request('loadTrainStep', { program, initial, options });
  }

  /** One step. A batch entry may be `{ fromState: { stateId, name } }`: another state's live value (e.g. D's weights in the G step). */
  trainStep(stateId: number, data: Record<string, WireTensor | StateRef>, learningRate: number): Promise<StepResult> {
    return this.request('trainStep', { stateId, data, learningRate });
  }

  readState(stateId: number, names?: string[]): Promise<Record<string, Float32Array>> {
    return this.request('readState', names ? { stateId, names } : { stateId });
  }

  releaseState(stateId: number): Promise<null> {
    return this.request('releaseState', { stateId });
  }

  /** Stops the worker; sessions and train states in it are gone. Pending requests reject. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private request<K extends ComputeRequestKind>(kind: K, payload: ComputeProtocol[K]['payload']): Promise<ComputeProtocol[K]['result']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const message: ComputeRequest<K> = { id, kind, payload };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(message);
    });
  }

  private settle(response: ComputeResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (response.ok) pending.resolve(response.result);
    else pending.reject(new ComputeWorkerError(response.error.message, response.error.name, response.error.stack));
  }

  private failAll(error: Error): void {
    this.exited = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
