/**
 * Follows a state class's background jobs of one kind through the API's job events. Everything it hands on is
 * typed by that kind (Job<'generate-pairs'> has GeneratePairsPayload and GeneratePairsResult), so the classes
 * read payloads and results without casts. FollowedJob adds the common case: one job shown at a time. The start
 * calls (pairs.generate, exports.start, ...) answer with a job already typed by kind: the contract declares it
 * and the API client checks it as the answer arrives (electron/api/client.ts).
 */
import type { Job, JobProgress, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import type { JobKind } from '../../../../electron/domain/types';

/** What the page shows of a running job. */
export interface JobView {
  jobId: number;
  /** 0..1 */
  progress: number;
  message: string | null;
}

/** True when the job is of the kind; narrows its payload and result to that kind's types. */
export function isJobOfKind<K extends JobKind>(job: Job, kind: K): job is Job<K> {
  return job.kind === kind;
}

export interface JobWatch<K extends JobKind> {
  kind: K;
  /** Only this project's jobs (events and the list after a reload); undefined: every project's and none. */
  projectId?: number;
  /** Which of those jobs are the owner's (a concept's pair generation); default: all of them. */
  owns?: (job: Job<K>) => boolean;
  /** The id of the job the owner shows now, read from the owner's own state; null when it shows none. */
  followed: () => number | null;
  /** A progress report of the followed job. */
  onProgress?: (progress: JobProgress) => void;
  /** One of the owner's jobs stopped (done, failed, cancelled or interrupted): the followed one or another. */
  onFinished: (job: Job<K>) => void;
}

/** Finished jobs nobody followed yet, kept for a start call whose answer is still on its way. */
const REMEMBERED_FINISHES = 32;

export class JobWatcher<K extends JobKind> {
  private readonly api: StudioApi;
  private readonly watch: JobWatch<K>;
  private readonly finishedUnfollowed = new Map<number, Job<K>>();

  constructor(api: StudioApi, watch: JobWatch<K>) {
    this.api = api;
    this.watch = watch;
  }

  start(): Unsubscribe {
    const offProgress = this.api.events.onJobProgress((progress) => {
      if (progress.jobId === this.watch.followed()) this.watch.onProgress?.(progress);
    });
    const offFinished = this.api.events.onJobFinished(({ job }) => {
      if (!this.isOwned(job)) return;
      if (job.id !== this.watch.followed()) this.remember(job);
      this.watch.onFinished(job);
    });
    return () => {
      offProgress();
      offFinished();
    };
  }

  /**
   * A quick job can finish before the start call's answer arrives. Returns that finish (once) so the owner shows
   * the outcome instead of following a job that will never report again; null while the job still runs.
   */
  finishedBeforeFollowed(jobId: number): Job<K> | null {
    const finished = this.finishedUnfollowed.get(jobId) ?? null;
    this.finishedUnfollowed.delete(jobId);
    return finished;
  }

  /** The owner's jobs of this kind still queued or running, in the order jobs.list gives (after a reload). */
  async running(): Promise<Job<K>[]> {
    const { projectId } = this.watch;
    const jobs = await this.api.jobs.list({ ...(projectId === undefined ? {} : { projectId }), states: ['queued', 'running'] });
    return jobs.filter((job): job is Job<K> => this.isOwned(job));
  }

  private isOwned(job: Job): job is Job<K> {
    if (!isJobOfKind(job, this.watch.kind)) return false;
    if (this.watch.projectId !== undefined && job.projectId !== this.watch.projectId) return false;
    return this.watch.owns?.(job) ?? true;
  }

  private remember(job: Job<K>): void {
    this.finishedUnfollowed.set(job.id, job);
    const oldest = this.finishedUnfollowed.keys().next();
    if (this.finishedUnfollowed.size > REMEMBERED_FINISHES && !oldest.done) this.finishedUnfollowed.delete(oldest.value);
  }
}

/**
 * The one job of a kind an owner shows at a time (a concept's pair generation, a model download): its view,
 * kept current by the job's progress events and cleared when it stops, when `onEnd` gets the finished job.
 */
export class FollowedJob<K extends JobKind, V extends JobView> {
  /** The job shown now; null when none runs. */
  view: V | null = $state.raw(null);
  private readonly watcher: JobWatcher<K>;
  private readonly onEnd: (job: Job<K>) => void;

  constructor(api: StudioApi, watch: Pick<JobWatch<K>, 'kind' | 'projectId' | 'owns'> & { onEnd: (job: Job<K>) => void }) {
    const { onEnd, ...jobs } = watch;
    this.onEnd = onEnd;
    this.watcher = new JobWatcher(api, {
      ...jobs,
      followed: () => this.view?.jobId ?? null,
      onProgress: (progress) => {
        if (this.view) this.view = { ...this.view, progress: progress.progress, message: progress.message };
      },
      onFinished: (job) => {
        if (this.view?.jobId !== job.id) return;
        this.view = null;
        this.onEnd(job);
      },
    });
  }

  start(): Unsubscribe {
    return this.watcher.start();
  }

  /** Shows a job a start call answered with; one that finished before the answer came goes straight to `onEnd`. */
  follow(job: Job<K>, view: V): void {
    const finished = this.watcher.finishedBeforeFollowed(job.id);
    if (finished) this.onEnd(finished);
    else this.view = view;
  }

  /** After a reload: shows the owner's job of this kind that still runs, if any. */
  async resume(view: (job: Job<K>) => V): Promise<void> {
    const [job] = await this.watcher.running();
    if (job) this.view = view(job);
  }
}
