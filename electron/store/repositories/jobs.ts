import type { Database } from 'better-sqlite3';
import { isProcessAlive } from '../process-alive';
import type { Job, JobKind, JobKinds, JobState } from '../../domain/types';
import { systemClock, type Clock } from './clock';

interface JobRow {
  id: number;
  kind: string;
  project_id: number | null;
  state: JobState;
  progress: number;
  message: string | null;
  payload: string;
  result: string | null;
  error: string | null;
  owner_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    projectId: row.project_id,
    state: row.state,
    progress: row.progress,
    message: row.message,
    payload: JSON.parse(row.payload),
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export interface JobFilter {
  projectId?: number;
  states?: readonly JobState[];
  limit?: number;
}

/**
 * The persisted queue. State changes are guarded by the state they expect (`WHERE state = ?`), so two processes
 * sharing the data folder can never both claim or both finish a job; a guarded change returns false if it lost.
 */
export class JobsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * `ownerPid` reserves the queued job for the enqueuing process, so another process sharing the data folder
   * cannot start it (that process would not see the job's events). Jobs of a dead owner are free to adopt.
   */
  enqueue<K extends JobKind>(kind: K, projectId: number | null, payload: JobKinds[K]['payload'], ownerPid: number | null = null): Job<K> {
    const info = this.db
      .prepare(`INSERT INTO jobs (kind, project_id, state, payload, owner_pid, created_at) VALUES (?, ?, 'queued', ?, ?, ?)`)
      .run(kind, projectId, JSON.stringify(payload), ownerPid, this.clock());
    return this.get(Number(info.lastInsertRowid)) as Job<K>;
  }

  get(id: number): Job | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  /** Newest first. */
  list(filter: JobFilter = {}): Job[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      params.push(filter.projectId);
    }
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      params.push(...filter.states);
    }
    const sql =
      `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC` +
      (filter.limit ? ` LIMIT ${Math.max(1, Math.floor(filter.limit))}` : '');
    return (this.db.prepare(sql).all(...params) as JobRow[]).map(toJob);
  }

  /**
   * Oldest queued job this process may run (unreserved, reserved for it, or reserved by a dead process),
   * claimed as running; undefined when there is none.
   */
  /** `kinds`: claim only jobs of these kinds (the runner's extra slot beside a long job). */
  claimNext(ownerPid: number, kinds?: readonly JobKind[]): Job | undefined {
    const claim = this.db.transaction(() => {
      const queued = this.db.prepare(`SELECT id, kind, owner_pid FROM jobs WHERE state = 'queued' ORDER BY id`).all() as {
        id: number;
        kind: JobKind;
        owner_pid: number | null;
      }[];
      const row = queued.find(
        (job) => (kinds === undefined || kinds.includes(job.kind)) && (job.owner_pid === null || job.owner_pid === ownerPid || !isProcessAlive(job.owner_pid)),
      );
      if (!row) return undefined;
      this.db
        .prepare(
          `UPDATE jobs SET state = 'running', owner_pid = ?, started_at = coalesce(started_at, ?), error = NULL
           WHERE id = ? AND state = 'queued'`,
        )
        .run(ownerPid, this.clock(), row.id);
      return row.id;
    });
    const id = claim.immediate();
    return id === undefined ? undefined : this.get(id);
  }

  setProgress(id: number, progress: number, message: string | null): void {
    this.db.prepare(`UPDATE jobs SET progress = ?, message = ? WHERE id = ? AND state = 'running'`).run(clamp01(progress), message, id);
  }

  /** Moves a job from `from` to `to`, recording result/error; false if the job was not in `from`. */
  transition(
    id: number,
    from: readonly JobState[],
    to: JobState,
    fields: {
      result?: unknown;
      error?: string | null;
      progress?: number;
      message?: string | null;
      /** Who may run the job next (only with to = 'queued'). */
      ownerPid?: number;
    } = {},
  ): boolean {
    const finished = to === 'done' || to === 'failed' || to === 'cancelled';
    // A cancel request belongs to one run; a resumed job starts without it.
    const sets = ['state = ?', 'cancel_requested = 0'];
    const params: unknown[] = [to];
    if (fields.result !== undefined) {
      sets.push('result = ?');
      params.push(JSON.stringify(fields.result));
    }
    if (fields.error !== undefined) {
      sets.push('error = ?');
      params.push(fields.error);
    }
    if (fields.progress !== undefined) {
      sets.push('progress = ?');
      params.push(clamp01(fields.progress));
    }
    if (fields.message !== undefined) {
      sets.push('message = ?');
      params.push(fields.message);
    }
    if (finished) {
      sets.push('finished_at = ?', 'owner_pid = NULL');
      params.push(this.clock());
    }
    if (to === 'queued' && fields.ownerPid !== undefined) {
      sets.push('owner_pid = ?');
      params.push(fields.ownerPid);
    } else if (to === 'queued' || to === 'interrupted') {
      sets.push('owner_pid = NULL');
    }
    const sql = `UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`;
    return this.db.prepare(sql).run(...params, id, ...from).changes > 0;
  }

  /** Flags a running job for cancellation by whichever process runs it; false if it is not running. */
  requestCancel(id: number): boolean {
    return this.db.prepare(`UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'`).run(id).changes > 0;
  }

  isCancelRequested(id: number): boolean {
    const row = this.db.prepare('SELECT cancel_requested FROM jobs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  /**
   * Per-photo cancel of a generate-pairs job: the photos to skip are kept in the job's own payload
   * (payload.skippedImageIds) rather than in memory, because the job may run in another process or a worker
   * thread; the worker reads the set again before each photo, so the rest of the job carries on.
   * Returns the photos to skip after adding this one.
   */
  addSkippedPairItem(jobId: number, imageId: number): number[] {
    return this.db.transaction(() => {
      const skipped = this.skippedPairItems(jobId);
      if (!skipped.includes(imageId)) skipped.push(imageId);
      this.db.prepare(`UPDATE jobs SET payload = json_set(payload, '$.skippedImageIds', json(?)) WHERE id = ?`).run(JSON.stringify(skipped), jobId);
      return skipped;
    })();
  }

  /** The photos a generate-pairs job was asked to skip, in the order they were asked for. */
  skippedPairItems(jobId: number): number[] {
    const row = this.db.prepare(`SELECT json_extract(payload, '$.skippedImageIds') AS skipped FROM jobs WHERE id = ?`).get(jobId) as
      | { skipped: string | null }
      | undefined;
    return row?.skipped ? (JSON.parse(row.skipped) as number[]) : [];
  }

  /** Running jobs and the pid that claimed them, for crash recovery. */
  running(): { id: number; ownerPid: number | null }[] {
    const rows = this.db.prepare(`SELECT id, owner_pid FROM jobs WHERE state = 'running' ORDER BY id`).all() as { id: number; owner_pid: number | null }[];
    return rows.map((row) => ({ id: row.id, ownerPid: row.owner_pid }));
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes > 0;
  }
}

function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
