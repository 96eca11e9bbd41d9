import type { JobKind } from '../services/types';

/**
 * The job-execution side, kept behind this small interface: under Node (CLI, browser mode, tests) jobs run in a
 * worker thread (WorkerThreadJobHost); in the app SHELL may host the same `executeJob` code in an Electron
 * utility process. The runner (queue, persistence, events) never knows which.
 */
export interface JobHost {
  execute(request: JobRequest, onProgress: (update: JobProgressUpdate) => void): JobExecution;
}

export interface JobRequest {
  jobId: number;
  kind: JobKind;
  payload: unknown;
  /** The executor opens its own connection to this data folder. */
  dataDir: string;
}

/** Kinds of project data a job step changed, so the runner can tell the UI what to refresh. */
export type ChangedData = 'images';

export interface JobProgressUpdate {
  /** 0..1 */
  progress: number;
  message: string | null;
  changed?: readonly ChangedData[];
}

export type JobOutcome =
  | { state: 'done'; result: unknown }
  /** Stopped on request; `result` describes the work finished before the stop (null if unknown). */
  | { state: 'stopped'; result: unknown }
  | { state: 'failed'; error: string };

export interface JobExecution {
  /** Ask the job to stop at its next safe point (between files, between steps). */
  stop(): void;
  /** Settles once; never rejects. */
  readonly outcome: Promise<JobOutcome>;
}

/** Messages between a host and the code executing a job (worker thread or utility process). */
export type HostToExecutor = { type: 'stop' };
export type ExecutorToHost =
  | ({ type: 'progress' } & JobProgressUpdate)
  | { type: 'outcome'; outcome: JobOutcome };
