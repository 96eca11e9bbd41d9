// Worker-thread entry point: runs the one job described by workerData and reports back over parentPort.
import { parentPort, workerData } from 'node:worker_threads';
import { executeJob } from './execute-job';
import type { ExecutorToHost, HostToExecutor, JobRequest } from './job-host';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run as a worker thread');

const request = workerData as JobRequest;
const controller = new AbortController();
port.on('message', (message: HostToExecutor) => {
  if (message.type === 'stop') controller.abort();
});

const send = (message: ExecutorToHost) => port.postMessage(message);
const outcome = await executeJob(request, controller.signal, (update) => send({ type: 'progress', ...update }));
send({ type: 'outcome', outcome });
port.close();
