/**
 * Runs each job in an Electron utility process (a Node child process managed by Electron), so model work and
 * onnxruntime's blocking run() never touch the main process. Same message protocol as the worker-thread host.
 */
import { utilityProcess } from 'electron';
import type {
  ExecutorToHost,
  JobExecution,
  JobHost,
  JobOutcome,
  JobProgressUpdate,
  JobRequest,
} from '../jobs/job-host';

/** Parent → utility process. The request is sent as a message because fork() args are strings. */
export type UtilityProcessMessage = { type: 'start'; request: JobRequest } | { type: 'stop' };

export class UtilityProcessJobHost implements JobHost {
  constructor(
    /** The bundled job-process.cjs. */
    private readonly entryPath: string,
    private readonly stopGraceMs = 15_000,
  ) {}

  execute(request: JobRequest, onProgress: (update: JobProgressUpdate) => void): JobExecution {
    const child = utilityProcess.fork(this.entryPath, [], { serviceName: `E2GAN Studio job ${request.jobId}`, stdio: 'inherit' });
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

    child.once('spawn', () => child.postMessage({ type: 'start', request } satisfies UtilityProcessMessage));
    child.on('message', (message: ExecutorToHost) => {
      if (message.type === 'progress') onProgress(message);
      else if (message.type === 'outcome') settle(message.outcome);
    });
    child.once('exit', (code) => {
      settle(
        stopTimer
          ? { state: 'stopped', result: null }
          : { state: 'failed', error: `job process exited (code ${code}) before reporting a result` },
      );
    });

    return {
      outcome,
      stop: () => {
        if (settled || stopTimer) return;
        child.postMessage({ type: 'stop' } satisfies UtilityProcessMessage);
        stopTimer = setTimeout(() => child.kill(), this.stopGraceMs);
      },
    };
  }
}
