import { isProcessAlive } from '../store/process-alive';
import type { Store } from '../store/store';
import { ConflictError, NotFoundError } from '../services/errors';
import type { TypedEmitter } from '../services/typed-emitter';
import { FINISHED_JOB_STATES, type Job, type JobKind, type JobKinds, type ServiceEvents } from '../services/types';
import type { JobExecution, JobHost, JobOutcome, JobProgressUpdate } from './job-host';

export interface JobRunnerOptions {
  /** Jobs run at the same time (default 1: imports and training compete for the same cores). */
  concurrency?: number;
  /** Minimum time between progress writes to the database (ms); progress events are not throttled. */
  progressWriteIntervalMs?: number;
  /** Minimum time between imagesChanged/projectsChanged events for one project while a job runs (ms). */
  changeEventIntervalMs?: number;
}

interface ActiveJob {
  execution: JobExecution;
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

  constructor(
    private readonly store: Store,
    private readonly host: JobHost,
    private readonly events: TypedEmitter<ServiceEvents>,
    options: JobRunnerOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.progressWriteIntervalMs = options.progressWriteIntervalMs ?? 250;
    this.changeEventIntervalMs = options.changeEventIntervalMs ?? 250;
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
    this.events.emit('jobChanged', { job });
    this.pump();
    return job;
  }

  /**
   * Starts queued jobs while there is capacity. Safe to call any time; never throws: if the database stays
   * locked past its busy timeout (another process holding a long write), it logs and tries again shortly.
   */
  pump(): void {
    try {
      while (!this.closed && this.active.size < this.concurrency) {
        const job = this.store.jobs.claimNext(process.pid);
        if (!job) break;
        this.start(job);
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
    if (this.active.size === 0) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    for (const active of this.active.values()) {
      active.stopReason ??= 'shutdown';
      active.execution.stop();
    }
    await idle;
  }

  private start(job: Job): void {
    this.events.emit('jobChanged', { job });
    const active: ActiveJob = {
      lastProgressWrite: 0,
      execution: this.host.execute(
        { jobId: job.id, kind: job.kind, payload: job.payload, dataDir: this.store.layout.root },
        (update) => this.onProgress(job, update),
      ),
    };
    this.active.set(job.id, active);
    void active.execution.outcome.then((outcome) => {
      try {
        this.finish(job, active, outcome);
      } catch (error) {
        // The row keeps 'running'; the next launch's recovery marks it interrupted, so it is not lost.
        console.error(`job runner: could not record the outcome of job ${job.id}`, error);
        this.active.delete(job.id);
        this.pump();
      }
    });
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
      this.store.jobs.setProgress(job.id, update.progress, update.message);
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

  private finish(job: Job, active: ActiveJob, outcome: JobOutcome): void {
    this.active.delete(job.id);
    // Listeners see the last images before they hear that the job ended.
    this.flushChanges();
    if (outcome.state === 'done') {
      this.store.jobs.transition(job.id, ['running'], 'done', { result: outcome.result, progress: 1, message: 'Done' });
    } else if (outcome.state === 'failed') {
      this.store.jobs.transition(job.id, ['running'], 'failed', { error: outcome.error, message: 'Failed' });
    } else if (active.stopReason === 'shutdown') {
      this.store.jobs.transition(job.id, ['running'], 'interrupted', { message: 'Interrupted: the app was closed' });
    } else {
      this.store.jobs.transition(job.id, ['running'], 'cancelled', {
        message: 'Cancelled',
        ...(outcome.result === null ? {} : { result: outcome.result }),
      });
    }
    this.emitChanged(job.id);
    this.pump();
  }

  private require(id: number): Job {
    const job = this.store.jobs.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  private emitChanged(id: number): Job {
    const job = this.require(id);
    this.events.emit('jobChanged', { job });
    return job;
  }
}
