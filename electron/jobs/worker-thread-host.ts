import { startWorker } from '../../native-models/util/ts-worker';
import type { ExecutorToHost, HostToExecutor, JobExecution, JobHost, JobOutcome, JobProgressUpdate, JobRequest } from './job-host';

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
    let settled = false;
    let stopTimer: NodeJS.Timeout | undefined;
    let resolveOutcome!: (outcome: JobOutcome) => void;
    const outcome = new Promise<JobOutcome>((resolve) => (resolveOutcome = resolve));
    const settle = (value: JobOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(stopTimer);
      resolveOutcome(value);
    };

    worker.on('message', (message: ExecutorToHost) => {
      if (message.type === 'progress') onProgress(message);
      else if (message.type === 'outcome') settle(message.outcome);
    });
    worker.on('error', (error) => settle({ state: 'failed', error: `job worker crashed: ${error.message}` }));
    worker.on('exit', (code) => {
      settle(
        stopTimer
          ? { state: 'stopped', result: null }
          : { state: 'failed', error: `job worker exited (code ${code}) before reporting a result` },
      );
    });

    return {
      outcome,
      stop: () => {
        if (settled || stopTimer) return;
        worker.postMessage({ type: 'stop' } satisfies HostToExecutor);
        stopTimer = setTimeout(() => void worker.terminate(), this.stopGraceMs);
        stopTimer.unref();
      },
    };
  }
}
