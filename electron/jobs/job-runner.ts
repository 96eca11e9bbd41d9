import { isProcessAlive } from '../store/process-alive';
import type { Store } from '../store/store';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { TypedEmitter } from '../domain/typed-emitter';
import { FINISHED_JOB_STATES, STOPPED_JOB_STATES, type Job, type JobKind, type JobKinds, type ServiceEvents } from '../domain/types';
import type { JobExecution, JobHost, JobOutcome, JobProgressUpdate, JobSecrets } from './job-host';

export interface JobRunnerOptions {
  /** Jobs run at the same time (default 1: imports and training compete for the same cores). */
  concurrency?: number;
  /** Minimum time between progress writes to the database (ms); progress events are not throttled. */
  progressWriteIntervalMs?: number;
  /** Minimum time between imagesChanged/projectsChanged events for one project while a job runs (ms). */
  changeEventIntervalMs?: number;
  /** How often an outcome that could not be written (disk full) is written again (ms, default 5000). */
  outcomeRetryIntervalMs?: number;
  /**
   * Kinds that may run in one extra slot when every slot is busy (default: exports), so exporting a finished run,
   * or a snapshot of the one training, does not wait hours behind an overnight training run.
   */
  besideKinds?: readonly JobKind[];
  /** Secrets a job gets in memory each time it starts (e.g. the stored Hugging Face token for downloads). */
  secretsFor?: (job: Job) => JobSecrets | undefined;
}

/** Shown while a finished job's outcome waits for disk space; the job's row still says 'running'. */
export const OUTCOME_PENDING_DISK_FULL = 'Disk full: this job has finished but its outcome cannot be saved. Free some disk space; it is saved automatically.';

/** SQLite's "database or disk is full", or the file system's "no space left on device". */
export function isDiskFullError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = error instanceof Error ? error.message : String(error);
  return /SQLITE_FULL|ENOSPC|EDQUOT|no space left on device|database or disk is full|disk quota exceeded/i.test(message);
}

/** A failure's reason, led by "Disk full" when that is what it was, so the user knows what to do. */
export function explainFailure(error: string): string {
  if (!isDiskFullError(error) || /^Disk full/.test(error)) return error;
  return `Disk full: free some disk space, then resume this job. (${error})`;
}

interface ActiveJob {
  execution: JobExecution;
  /** Started in the extra slot for besideKinds while every regular slot was busy. */
  beside: boolean;
  /** Why we asked it to stop: the user cancelled it, or the runner is closing (it resumes next launch). */
  stopReason?: 'cancel' | 'shutdown';
  lastProgressWrite: number;
}

/**
 * The persisted job queue's driver in the owning process: claims queued jobs, hands them to a JobHost, records
 * progress and outcomes, and emits jobChanged / jobProgress. Crash recovery happens in the constructor: jobs left
 * 'running' by a process that no longer exists become 'interrupted'.
 */
export class JobRunner {
  private readonly active = new Map<number, ActiveJob>();
  private readonly concurrency: number;
  private readonly progressWriteIntervalMs: number;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly changeEventIntervalMs: number;
  private readonly changedProjects = new Set<number>();
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly outcomeRetryIntervalMs: number;
  /** Finished jobs whose outcome the disk had no room for, written again every outcomeRetryIntervalMs. */
  private readonly pendingOutcomes = new Map<number, { job: Job; stopReason: ActiveJob['stopReason']; outcome: JobOutcome }>();
  private outcomeRetryTimer: NodeJS.Timeout | undefined;
  private readonly besideKinds: readonly JobKind[];
  private readonly secretsFor: (job: Job) => JobSecrets | undefined;

  constructor(
    private readonly store: Store,
    private readonly host: JobHost,
    private readonly events: TypedEmitter<ServiceEvents>,
    options: JobRunnerOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.progressWriteIntervalMs = options.progressWriteIntervalMs ?? 250;
    this.changeEventIntervalMs = options.changeEventIntervalMs ?? 250;
    this.outcomeRetryIntervalMs = options.outcomeRetryIntervalMs ?? 5000;
    this.besideKinds = options.besideKinds ?? ['export-bundle'];
    this.secretsFor = options.secretsFor ?? (() => undefined);
  }

  /** Marks jobs orphaned by a dead process as interrupted; returns them. */
  recoverInterrupted(): Job[] {
    const recovered: Job[] = [];
    for (const { id, ownerPid } of this.store.jobs.running()) {
      // Our own pid can only be a previous process's (pid reuse): this runner has not started anything yet.
      const ownerAlive = ownerPid !== null && ownerPid !== process.pid && isProcessAlive(ownerPid);
      if (ownerAlive) continue;
      const changed = this.store.jobs.transition(id, ['running'], 'interrupted', {
        message: 'Interrupted: the app stopped while this job was running',
      });
      if (changed) recovered.push(this.emitChanged(id));
    }
    return recovered;
  }

  enqueue<K extends JobKind>(kind: K, projectId: number | null, payload: JobKinds[K]['payload']): Job<K> {
    if (this.closed) throw new ConflictError('the job runner is shut down');
    const job = this.store.jobs.enqueue(kind, projectId, payload, process.pid);
    this.announce(job);
    this.pump();
    return job;
  }

  /**
   * Starts queued jobs while there is capacity. Safe to call any time; never throws: if the database stays
   * locked past its busy timeout (another process holding a long write), it logs and tries again shortly.
   */
  pump(): void {
    try {
      while (!this.closed) {
        const regular = [...this.active.values()].filter((active) => !active.beside).length;
        const besideFree = this.besideKinds.length > 0 && ![...this.active.values()].some((active) => active.beside);
        let job: Job | undefined;
        if (regular < this.concurrency) job = this.store.jobs.claimNext(process.pid);
        const beside = job === undefined && regular >= this.concurrency && besideFree;
        if (beside) job = this.store.jobs.claimNext(process.pid, this.besideKinds);
        if (!job) break;
        this.start(job, beside);
      }
    } catch (error) {
      console.error('job runner: could not claim the next job; retrying in 1 s', error);
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, 1000);
        this.retryTimer.unref();
      }
    }
    if (this.active.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /**
   * Queued: cancelled at once. Running: asked to stop at its next safe point (state 'cancelled' follows, with
   * the partial result); if another process runs it, through a flag that process reads at the job's next
   * progress report. Interrupted: same as discard.
   */
  cancel(id: number): Job {
    const job = this.require(id);
    if (job.state === 'queued') {
      if (this.store.jobs.transition(id, ['queued'], 'cancelled', { message: 'Cancelled before it started' })) {
        return this.emitChanged(id);
      }
      return this.cancel(id);
    }
    if (job.state === 'interrupted') return this.discard(id);
    if (job.state === 'running') {
      const active = this.active.get(id);
      if (active) {
        active.stopReason ??= 'cancel';
        active.execution.stop();
        return job;
      }
      const owner = this.store.jobs.running().find((running) => running.id === id)?.ownerPid ?? null;
      const ownerAlive = owner !== null && owner !== process.pid && isProcessAlive(owner);
      if (!ownerAlive) {
        // Its process died after this one started (so recovery has not seen it): nothing can stop it cleanly.
        if (this.store.jobs.transition(id, ['running'], 'cancelled', { message: 'Cancelled after its process stopped' })) {
          return this.emitChanged(id);
        }
        return this.cancel(id);
      }
      if (!this.store.jobs.requestCancel(id)) return this.cancel(id);
      // Another process runs it: it sees the request at the job's next progress report.
      return job;
    }
    throw new ConflictError(`job ${id} is already ${job.state}`);
  }

  /** Puts an interrupted (or failed) job back in the queue; it continues from its persisted progress. */
  resume(id: number): Job {
    const job = this.require(id);
    const requeued = this.store.jobs.transition(id, ['interrupted', 'failed'], 'queued', {
      error: null,
      message: 'Queued to resume',
      ownerPid: process.pid,
    });
    if (!requeued) {
      throw new ConflictError(`job ${id} is ${job.state}; only interrupted or failed jobs can be resumed`);
    }
    const queued = this.emitChanged(id);
    this.pump();
    return this.store.jobs.get(id) ?? queued;
  }

  /** Gives up an interrupted job: it becomes 'cancelled'; work it finished before the crash is kept. */
  discard(id: number): Job {
    const job = this.require(id);
    if (!this.store.jobs.transition(id, ['interrupted'], 'cancelled', { message: 'Discarded after an interruption' })) {
      throw new ConflictError(`job ${id} is ${job.state}; only interrupted jobs can be discarded`);
    }
    return this.emitChanged(id);
  }

  /** Resolves with the job once it is done, failed, cancelled or interrupted. */
  waitFor(id: number): Promise<Job> {
    this.require(id);
    return new Promise((resolve) => {
      const check = (job: Job | undefined) => {
        if (job && (FINISHED_JOB_STATES.includes(job.state) || job.state === 'interrupted')) {
          off();
          resolve(job);
        }
      };
      const off = this.events.on('jobChanged', ({ job }) => {
        if (job.id === id) check(job);
      });
      check(this.store.jobs.get(id));
    });
  }

  isRunningHere(id: number): boolean {
    return this.active.has(id);
  }

  /**
   * Stops taking jobs, asks running ones to stop at a safe point and waits for them. They are recorded as
   * 'interrupted', so the next launch offers to resume them.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    // One last try; what still does not fit stays 'running' and the next launch marks it interrupted.
    this.retryPendingOutcomes();
    clearTimeout(this.outcomeRetryTimer);
    if (this.active.size === 0) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    for (const active of this.active.values()) {
      active.stopReason ??= 'shutdown';
      active.execution.stop();
    }
    await idle;
  }

  private start(job: Job, beside: boolean): void {
    this.announce(job);
    const secrets = this.secretsFor(job);
    const active: ActiveJob = {
      beside,
      lastProgressWrite: 0,
      execution: this.host.execute(
        { jobId: job.id, kind: job.kind, payload: job.payload, dataDir: this.store.layout.root, ...(secrets ? { secrets } : {}) },
        (update) => this.onProgress(job, update),
      ),
    };
    this.active.set(job.id, active);
    void active.execution.outcome.then((outcome) => {
      this.active.delete(job.id);
      // Listeners see the last images before they hear that the job ended.
      this.flushChanges();
      try {
        this.recordOutcome(job, active.stopReason, outcome);
      } catch (error) {
        if (isDiskFullError(error)) {
          this.holdOutcome(job, active.stopReason, outcome);
        } else {
          // The row keeps 'running'; the next launch's recovery marks it interrupted, so it is not lost.
          console.error(`job runner: could not record the outcome of job ${job.id}`, error);
        }
      }
      this.pump();
    });
  }

  /**
   * The disk had no room for the outcome: keep it in memory, tell the user, and write it again until it fits.
   * If the app stops first, the row still says 'running' and the next launch marks the job interrupted.
   */
  private holdOutcome(job: Job, stopReason: ActiveJob['stopReason'], outcome: JobOutcome): void {
    this.pendingOutcomes.set(job.id, { job, stopReason, outcome });
    const current = this.store.jobs.get(job.id) ?? job;
    this.events.emit('jobProgress', { jobId: job.id, projectId: job.projectId, progress: current.progress, message: OUTCOME_PENDING_DISK_FULL });
    this.events.emit('jobChanged', { job: { ...current, message: OUTCOME_PENDING_DISK_FULL } });
    if (!this.outcomeRetryTimer) {
      this.outcomeRetryTimer = setInterval(() => this.retryPendingOutcomes(), this.outcomeRetryIntervalMs);
      this.outcomeRetryTimer.unref();
    }
  }

  private retryPendingOutcomes(): void {
    for (const [id, pending] of this.pendingOutcomes) {
      try {
        this.recordOutcome(pending.job, pending.stopReason, pending.outcome);
        this.pendingOutcomes.delete(id);
      } catch (error) {
        if (!isDiskFullError(error)) {
          console.error(`job runner: could not record the outcome of job ${id}`, error);
          this.pendingOutcomes.delete(id);
        }
      }
    }
    if (this.pendingOutcomes.size === 0) {
      clearInterval(this.outcomeRetryTimer);
      this.outcomeRetryTimer = undefined;
    }
  }

  /** The message a job shows: "disk full" while its finished outcome waits for space. */
  describe(job: Job): Job {
    return this.pendingOutcomes.has(job.id) ? { ...job, message: OUTCOME_PENDING_DISK_FULL } : job;
  }

  private onProgress(job: Job, update: JobProgressUpdate): void {
    const active = this.active.get(job.id);
    if (!active) return;
    if (!active.stopReason && this.store.jobs.isCancelRequested(job.id)) {
      active.stopReason = 'cancel';
      active.execution.stop();
    }
    const now = Date.now();
    if (now - active.lastProgressWrite >= this.progressWriteIntervalMs || update.progress >= 1) {
      active.lastProgressWrite = now;
      try {
        this.store.jobs.setProgress(job.id, update.progress, update.message);
      } catch (error) {
        // Progress is advisory: a full disk (or a locked database) must not end the job or the process.
        if (!isDiskFullError(error)) console.error(`job runner: could not record progress of job ${job.id}`, error);
      }
    }
    this.events.emit('jobProgress', {
      jobId: job.id,
      projectId: job.projectId,
      progress: update.progress,
      message: update.message,
    });
    if (job.projectId !== null && update.changed?.includes('images')) this.noteImagesChanged(job.projectId);
  }

  /**
   * Coalesces per-file "images changed" into at most one event per project per interval: an import of
   * thousands of files must not make every window re-read the image list thousands of times.
   */
  private noteImagesChanged(projectId: number): void {
    this.changedProjects.add(projectId);
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => this.flushChanges(), this.changeEventIntervalMs);
    this.changeTimer.unref();
  }

  private flushChanges(): void {
    clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    const projects = [...this.changedProjects];
    this.changedProjects.clear();
    for (const projectId of projects) {
      this.events.emit('imagesChanged', { projectId });
      this.events.emit('projectsChanged', { projectId });
    }
  }

  /** Writes a finished job's outcome; throws (SQLITE_FULL on a full disk) when it cannot. */
  private recordOutcome(job: Job, stopReason: ActiveJob['stopReason'], outcome: JobOutcome): void {
    if (outcome.state === 'done') {
      this.store.jobs.transition(job.id, ['running'], 'done', { result: outcome.result, progress: 1, message: 'Done' });
    } else if (outcome.state === 'failed') {
      const error = explainFailure(outcome.error);
      this.store.jobs.transition(job.id, ['running'], 'failed', { error, message: isDiskFullError(error) ? 'Failed: disk full' : 'Failed' });
    } else if (stopReason === 'shutdown') {
      this.store.jobs.transition(job.id, ['running'], 'interrupted', { message: 'Interrupted: the app was closed' });
    } else {
      this.store.jobs.transition(job.id, ['running'], 'cancelled', {
        message: 'Cancelled',
        ...(outcome.result === null ? {} : { result: outcome.result }),
      });
    }
    this.emitChanged(job.id);
  }

  private require(id: number): Job {
    const job = this.store.jobs.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  /** jobChanged for every change, then jobFinished once the job stopped. */
  private announce(job: Job): void {
    this.events.emit('jobChanged', { job });
    if (STOPPED_JOB_STATES.includes(job.state)) this.events.emit('jobFinished', { job });
  }

  private emitChanged(id: number): Job {
    const job = this.require(id);
    this.announce(job);
    return job;
  }
}
