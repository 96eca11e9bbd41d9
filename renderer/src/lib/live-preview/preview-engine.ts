/**
 * UI-thread side of the live preview: owns the onnxruntime-web worker and matches its replies to requests.
 * The worker runs one request at a time in order, so callers that stream frames should wait for a result
 * before sending the next (see LivePreviewState) instead of queueing a backlog of stale frames.
 */
import type { ModelInfo, PreviewBackend, RgbaFrame, WorkerRequest, WorkerResponse } from './protocol';

export interface LoadedModel extends ModelInfo {
  /** Backends tried before the one that worked, with why they failed (e.g. no WebGPU adapter). */
  failures: string[];
}

export interface FrameResult {
  frame: RgbaFrame;
  millis: number;
}

interface Pending {
  resolve: (value: WorkerResponse) => void;
  reject: (error: Error) => void;
}

export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

export function createOrtWorker(): WorkerLike {
  return new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module', name: 'live-preview' });
}

export class PreviewEngine {
  #worker: WorkerLike;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #disposed = false;

  constructor(worker: WorkerLike = createOrtWorker()) {
    this.#worker = worker;
    this.#worker.addEventListener('message', (event) => this.#settle(event.data));
    this.#worker.addEventListener('error', (event) => this.#failAll(new Error(`live preview worker failed: ${event.message}`)));
  }

  /** Loads (or replaces) the model; the bytes are transferred, so the caller's buffer becomes empty. */
  async load(model: ArrayBuffer, backends: readonly PreviewBackend[] = ['webgpu', 'wasm']): Promise<LoadedModel> {
    const reply = await this.#request((requestId) => ({ type: 'load', requestId, model, backends }), [model]);
    if (reply.type !== 'loaded') throw new Error(`unexpected worker reply ${reply.type}`);
    return { ...reply.info, failures: reply.failures };
  }

  /** Runs one frame (its buffer is transferred) and returns the styled frame. */
  async run(frame: RgbaFrame): Promise<FrameResult> {
    const reply = await this.#request((requestId) => ({ type: 'run', requestId, frame }), [frame.pixels]);
    if (reply.type !== 'result') throw new Error(`unexpected worker reply ${reply.type}`);
    return { frame: reply.frame, millis: reply.millis };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#worker.terminate();
    this.#failAll(new Error('live preview closed'));
  }

  #request(build: (requestId: number) => WorkerRequest, transfer: Transferable[]): Promise<WorkerResponse> {
    if (this.#disposed) return Promise.reject(new Error('live preview closed'));
    const requestId = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.#worker.postMessage(build(requestId), transfer);
    });
  }

  #settle(reply: WorkerResponse): void {
    const pending = this.#pending.get(reply.requestId);
    if (!pending) return;
    this.#pending.delete(reply.requestId);
    if (reply.type === 'error') pending.reject(new Error(reply.message));
    else pending.resolve(reply);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
