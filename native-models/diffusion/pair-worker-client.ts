import { startWorker } from '../util/ts-worker';
import { GenerationCancelledError } from './pipeline/generate';
import type { PairGenerationSummary, PairProgress, ProviderFallback } from './pair-generator';
import type { LoadedModelInfo, PairJobOptions, PairWorkerMessage, PairWorkerRequest } from './pair-worker-protocol';

export interface PairWorkerCallbacks {
  onModelLoaded?: (info: LoadedModelInfo) => void;
  onProgress?: (progress: PairProgress) => void;
  onFallback?: (fallback: ProviderFallback) => void;
  /** Aborting cancels the job within one denoising step; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** The worker entry; defaults to the TS source next to this file (a bundled app passes its built .js). */
  entry?: URL;
}

/**
 * Runs generatePairs in its own worker thread so the calling thread stays responsive. Resolves with the
 * summary; rejects with the worker's error (same message) or a GenerationCancelledError.
 */
export function generatePairsInWorker(options: PairJobOptions, callbacks: PairWorkerCallbacks = {}): Promise<PairGenerationSummary> {
  if (callbacks.signal?.aborted) return Promise.reject(new GenerationCancelledError());
  const worker = startWorker(callbacks.entry ?? new URL('./pair-worker.ts', import.meta.url));
  return new Promise<PairGenerationSummary>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      callbacks.signal?.removeEventListener('abort', onAbort);
      action();
      // The worker exits on its own after a job; terminate covers a worker stuck in native code.
      void worker.terminate();
    };
    const onAbort = (): void => worker.postMessage({ type: 'cancel' } satisfies PairWorkerRequest);
    callbacks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: PairWorkerMessage) => {
      switch (message.type) {
        case 'model':
          callbacks.onModelLoaded?.(message.info);
          break;
        case 'progress':
          callbacks.onProgress?.(message.progress);
          break;
        case 'fallback':
          callbacks.onFallback?.(message.fallback);
          break;
        case 'done':
          finish(() => resolve(message.summary));
          break;
        case 'error':
          finish(() => {
            if (message.name === 'AbortError') {
              reject(new GenerationCancelledError());
            } else {
              const error = new Error(message.message);
              error.name = message.name;
              reject(error);
            }
          });
          break;
      }
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`pair worker exited with code ${code} before finishing`))));
    worker.postMessage({ type: 'start', options } satisfies PairWorkerRequest);
  });
}
