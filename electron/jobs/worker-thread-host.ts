import { startWorker } from '../../native-models/util/ts-worker';
import { superviseExecution, type HostToExecutor, type JobExecution, type JobHost, type JobProgressUpdate, type JobRequest } from './job-host';

export interface WorkerThreadJobHostOptions {
  /** The worker entry module; a bundled app passes its built job-worker file. */
  workerEntry?: URL;
  /** How long a stopped job may take to reach a safe point before its thread is terminated (ms). */
  stopGraceMs?: number;
}

/** Runs each job in a fresh worker thread, so a crash or a blocking onnxruntime call never touches the caller. */
export class WorkerThreadJobHost implements JobHost {
  private readonly workerEntry: URL;
  private readonly stopGraceMs: number;

  constructor(options: WorkerThreadJobHostOptions = {}) {
    this.workerEntry = options.workerEntry ?? new URL('./job-worker.ts', import.meta.url);
    this.stopGraceMs = options.stopGraceMs ?? 15_000;
  }

  execute(request: JobRequest, onProgress: (update: JobProgressUpdate) => void): JobExecution {
    const worker = startWorker(this.workerEntry, { workerData: request });
    return superviseExecution(
      {
        label: 'job worker',
        onMessage: (listener) => worker.on('message', listener),
        onExit: (listener) => worker.on('exit', listener),
        onError: (listener) => worker.on('error', listener),
        sendStop: () => worker.postMessage({ type: 'stop' } satisfies HostToExecutor),
        kill: () => void worker.terminate(),
      },
      onProgress,
      this.stopGraceMs,
    );
  }
}
