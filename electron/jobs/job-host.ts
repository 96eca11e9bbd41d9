import type { JobKind } from '../domain/types';

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
  /** Handed to the job in memory, never stored with it (the payload is): e.g. the Hugging Face token. */
  secrets?: JobSecrets;
}

export interface JobSecrets {
  /** Bearer token for gated or private Hugging Face repos (download-model). */
  hfToken?: string;
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
export type ExecutorToHost = ({ type: 'progress' } & JobProgressUpdate) | { type: 'outcome'; outcome: JobOutcome };

/** What a host needs from the thread or process running one job. */
export interface ExecutorChannel {
  /** Shown in failure messages: 'job worker', 'job process'. */
  readonly label: string;
  onMessage(listener: (message: ExecutorToHost) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** A crash reported as an error event (worker threads); processes report crashes through exit. */
  onError?(listener: (error: Error) => void): void;
  sendStop(): void;
  kill(): void;
}

/**
 * The protocol every host follows: progress messages go to `onProgress`, the first outcome (or exit, or crash)
 * settles the execution, and stop() asks for a safe stop, then kills the executor after `stopGraceMs`. An
 * executor that exits after a stop request counts as stopped; one that exits on its own without an outcome failed.
 */
export function superviseExecution(channel: ExecutorChannel, onProgress: (update: JobProgressUpdate) => void, stopGraceMs: number): JobExecution {
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

  channel.onMessage((message) => {
    if (message.type === 'progress') onProgress(message);
    else if (message.type === 'outcome') settle(message.outcome);
  });
  channel.onError?.((error) => settle({ state: 'failed', error: `${channel.label} crashed: ${error.message}` }));
  channel.onExit((code) => {
    settle(stopTimer ? { state: 'stopped', result: null } : { state: 'failed', error: `${channel.label} exited (code ${code}) before reporting a result` });
  });

  return {
    outcome,
    stop: () => {
      if (settled || stopTimer) return;
      channel.sendStop();
      stopTimer = setTimeout(() => channel.kill(), stopGraceMs);
      stopTimer.unref();
    },
  };
}
