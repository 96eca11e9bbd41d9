/**
 * Runs each job in an Electron utility process (a Node child process managed by Electron), so model work and
 * onnxruntime's blocking run() never touch the main process. Same message protocol as the worker-thread host.
 */
import { utilityProcess } from 'electron';
import { superviseExecution, type JobExecution, type JobHost, type JobProgressUpdate, type JobRequest } from '../jobs/job-host';

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
    child.once('spawn', () => child.postMessage({ type: 'start', request } satisfies UtilityProcessMessage));
    return superviseExecution(
      {
        label: 'job process',
        onMessage: (listener) => child.on('message', listener),
        onExit: (listener) => child.once('exit', listener),
        sendStop: () => child.postMessage({ type: 'stop' } satisfies UtilityProcessMessage),
        kill: () => child.kill(),
      },
      onProgress,
      this.stopGraceMs,
    );
  }
}
