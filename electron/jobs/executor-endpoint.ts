import { executeJob } from './execute-job';
import type { ExecutorToHost, HostToExecutor, JobRequest } from './job-host';

/**
 * The executing side of a job host, for any message channel: a worker thread's parentPort, or an Electron
 * utility process's process.parentPort (SHELL adapts its event shape to `onMessage`). Runs one job, reports
 * progress and the outcome, and stops at the next safe point when told to.
 */
export interface ExecutorPort {
  postMessage(message: ExecutorToHost): void;
  onMessage(listener: (message: HostToExecutor) => void): void;
}

export async function serveJob(request: JobRequest, port: ExecutorPort): Promise<void> {
  const controller = new AbortController();
  port.onMessage((message) => {
    if (message.type === 'stop') controller.abort();
  });
  const outcome = await executeJob(request, controller.signal, (update) => port.postMessage({ type: 'progress', ...update }));
  port.postMessage({ type: 'outcome', outcome });
}
