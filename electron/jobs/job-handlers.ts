import type { Store } from '../store/store';
import type { JobKind, JobKinds } from '../domain/types';
import type { ChangedData, JobSecrets } from './job-host';

export interface JobContext<K extends JobKind> {
  jobId: number;
  payload: JobKinds[K]['payload'];
  store: Store;
  /** Aborted when the user cancels or the app shuts down; handlers check it at safe points and return early. */
  signal: AbortSignal;
  /** In-memory secrets the runner gave this run of the job (never in the payload, which is stored). */
  secrets: JobSecrets;
  reportProgress(progress: number, message: string | null, changed?: readonly ChangedData[]): void;
}

/**
 * Runs one job of kind K to completion or to the first safe point after `signal` aborts, and returns its result
 * (a partial result when stopped). Must be resumable: a job interrupted by a crash runs again with the same
 * payload and should continue from the state it persisted.
 */
export type JobHandler<K extends JobKind> = (context: JobContext<K>) => Promise<JobKinds[K]['result']>;
