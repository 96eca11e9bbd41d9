/**
 * Worker-thread entry that runs one pair-generation job. ORT's run() blocks its thread for a whole UNet
 * step, so generation must not run on the main/UI thread; the worker exits when the job ends, which also
 * returns every byte the sessions held. Start it through generatePairsInWorker (pair-worker-client.ts).
 */
import { parentPort } from 'node:worker_threads';
import { generatePairs } from './pair-generator';
import type { PairWorkerMessage, PairWorkerRequest } from './pair-worker-protocol';

if (!parentPort) throw new Error('pair-worker.ts must run as a worker thread (use generatePairsInWorker)');
const port = parentPort;
const controller = new AbortController();
let started = false;

function send(message: PairWorkerMessage): void {
  port.postMessage(message);
}

port.on('message', (request: PairWorkerRequest) => {
  if (request.type === 'cancel') {
    controller.abort();
    return;
  }
  if (started) {
    send({ type: 'error', name: 'Error', message: 'pair worker: a job is already running in this worker' });
    return;
  }
  started = true;
  generatePairs({
    ...request.options,
    signal: controller.signal,
    onModelLoaded: (model) => send({ type: 'model', info: { kind: model.signatures.kind, sampleDtype: model.signatures.unet.sampleDtype, executionProvider: model.executionProviders.unet } }),
    onProgress: (progress) => send({ type: 'progress', progress }),
    onFallback: (fallback) => send({ type: 'fallback', fallback }),
  }).then(
    (summary) => send({ type: 'done', summary }),
    (error: unknown) => send({ type: 'error', name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) }),
  ).finally(() => port.close());
});
