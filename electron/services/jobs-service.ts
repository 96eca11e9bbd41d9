import { NotFoundError } from '../domain/errors';
import type { Job, JobKind, JobKinds, JobState } from '../domain/types';
import type { JobRunner } from '../jobs/job-runner';
import type { Store } from '../store/store';
import { requireProject } from './records';

/** The job queue as the other services and the API see it (the runner itself lives in electron/jobs). */
export interface JobsService {
  list(filter?: { projectId?: number; states?: JobState[]; limit?: number }): Job[];
  get(input: { jobId: number }): Job;
  /**
   * Queues a job of any kind. Kind-specific start methods (imports.start, pairs.generate, training.start,
   * exports.start, ...) check their payload first; prefer them where they exist.
   */
  enqueue<K extends JobKind>(kind: K, projectId: number | null, payload: JobKinds[K]['payload']): Job<K>;
  /**
   * Queued: cancelled at once. Running (here or in another process, e.g. the CLI): stops after the current step
   * and ends 'cancelled' with a partial result; the returned job may still say 'running' until then, watch
   * jobChanged. Interrupted: discarded.
   */
  cancel(input: { jobId: number }): Job;
  /** Re-queues an interrupted or failed job; it continues from its persisted progress. */
  resume(input: { jobId: number }): Job;
  /** Gives up an interrupted job ('cancelled'); work finished before the interruption is kept. */
  discard(input: { jobId: number }): Job;
  /** Resolves once the job is done, failed, cancelled or interrupted. */
  waitFor(id: number): Promise<Job>;
}

export function createJobsService({ store, runner }: { store: Store; runner: JobRunner }): JobsService {
  return {
    // runner.describe: a finished job whose outcome waits for disk space says "disk full", not its last progress.
    list: (filter = {}) => store.jobs.list(filter).map((job) => runner.describe(job)),
    get({ jobId }) {
      const job = store.jobs.get(jobId);
      if (!job) throw new NotFoundError('job', jobId);
      return runner.describe(job);
    },
    enqueue(kind, projectId, payload) {
      if (projectId !== null) requireProject(store, projectId);
      return runner.enqueue(kind, projectId, payload);
    },
    cancel: ({ jobId }) => runner.cancel(jobId),
    resume: ({ jobId }) => runner.resume(jobId),
    discard: ({ jobId }) => runner.discard(jobId),
    waitFor: (id) => runner.waitFor(id),
  };
}
