// Worker-thread entry point: runs the one job described by workerData and reports back over parentPort.
import { parentPort, workerData } from 'node:worker_threads';
import { serveJob } from './executor-endpoint';
import type { HostToExecutor, JobRequest } from './job-host';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run as a worker thread');

// No top-level await: the packaged app and the CLI run this entry as a CommonJS bundle (scripts/build.mjs).
void serveJob(workerData as JobRequest, {
  postMessage: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (message: HostToExecutor) => listener(message)),
}).then(() => port.close());
