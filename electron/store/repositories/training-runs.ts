import type { Database } from 'better-sqlite3';
import type {
  LossPoint,
  QualityBaselines,
  TrainingCheckpoint,
  TrainingPreview,
  TrainingRun,
  TrainingSettingsSummary,
  TrainingState,
} from '../../domain/training-types';
import type { TrainingRunEngine } from '../../domain/training-engine';
import { systemClock, type Clock } from './clock';

interface RunRow {
  id: number;
  project_id: number;
  concept_id: number;
  job_id: number | null;
  state: TrainingState;
  settings: string;
  run_path: string;
  step: number;
  total_steps: number;
  it_per_sec: number | null;
  eta_seconds: number | null;
  execution_provider: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  identity_psnr: number | null;
  affine_psnr: number | null;
}

export interface NewTrainingRun {
  projectId: number;
  conceptId: number;
  settings: TrainingSettingsSummary;
  /** Filled in by the caller once the id is known (runs/run-<id>); a placeholder is fine before. */
  runPath: string;
  totalSteps: number;
}

export interface StepReport {
  step: number;
  losses: Record<string, number>;
  itPerSec: number;
  etaSeconds: number;
}

/** Training runs and what they produce over time (losses, checkpoints, previews). */
export class TrainingRunsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  create(run: NewTrainingRun): TrainingRun {
    const id = this.db
      .prepare(`INSERT INTO training_runs (project_id, concept_id, settings, run_path, total_steps, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(run.projectId, run.conceptId, JSON.stringify(run.settings), run.runPath, run.totalSteps, this.clock()).lastInsertRowid;
    return this.get(Number(id))!;
  }

  get(id: number): TrainingRun | undefined {
    const row = this.db.prepare(`SELECT * FROM training_runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row && this.toRun(row);
  }

  findByJob(jobId: number): TrainingRun | undefined {
    const row = this.db.prepare(`SELECT * FROM training_runs WHERE job_id = ?`).get(jobId) as RunRow | undefined;
    return row && this.toRun(row);
  }

  /** Newest first. */
  list(filter: { projectId: number; conceptId?: number }): TrainingRun[] {
    const rows = (
      filter.conceptId === undefined
        ? this.db.prepare(`SELECT * FROM training_runs WHERE project_id = ? ORDER BY id DESC`).all(filter.projectId)
        : this.db.prepare(`SELECT * FROM training_runs WHERE project_id = ? AND concept_id = ? ORDER BY id DESC`).all(filter.projectId, filter.conceptId)
    ) as RunRow[];
    return rows.map((row) => this.toRun(row));
  }

  /** Runs still marked queued or running, with their job (null when it was never queued). */
  listActive(): { id: number; jobId: number | null }[] {
    const rows = this.db.prepare(`SELECT id, job_id FROM training_runs WHERE state IN ('queued', 'running')`).all() as { id: number; job_id: number | null }[];
    return rows.map((row) => ({ id: row.id, jobId: row.job_id }));
  }

  setRunPath(id: number, runPath: string): void {
    this.db.prepare(`UPDATE training_runs SET run_path = ? WHERE id = ?`).run(runPath, id);
  }

  /** The run's engine settings and pairs, once its job has resolved them (see TrainingRunEngine). */
  engineOf(id: number): TrainingRunEngine | undefined {
    const row = this.db.prepare(`SELECT engine_settings FROM training_runs WHERE id = ?`).get(id) as { engine_settings: string | null } | undefined;
    return row?.engine_settings ? (JSON.parse(row.engine_settings) as TrainingRunEngine) : undefined;
  }

  setEngine(id: number, engine: TrainingRunEngine): void {
    this.db.prepare(`UPDATE training_runs SET engine_settings = ? WHERE id = ?`).run(JSON.stringify(engine), id);
  }

  setJob(id: number, jobId: number): void {
    this.db.prepare(`UPDATE training_runs SET job_id = ? WHERE id = ?`).run(jobId, id);
  }

  setTotalSteps(id: number, totalSteps: number): void {
    this.db.prepare(`UPDATE training_runs SET total_steps = ? WHERE id = ?`).run(totalSteps, id);
  }

  setState(id: number, state: TrainingState, error: string | null = null): void {
    const now = this.clock();
    const finished = state === 'done' || state === 'cancelled' || state === 'failed';
    this.db
      .prepare(
        `UPDATE training_runs SET state = ?, error = ?,
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END
         WHERE id = ?`,
      )
      .run(state, error, state, now, finished ? 1 : 0, now, id);
  }

  setPauseRequested(id: number, requested: boolean): void {
    this.db.prepare(`UPDATE training_runs SET pause_requested = ? WHERE id = ?`).run(requested ? 1 : 0, id);
  }

  isPauseRequested(id: number): boolean {
    const row = this.db.prepare(`SELECT pause_requested FROM training_runs WHERE id = ?`).get(id) as { pause_requested: number } | undefined;
    return row?.pause_requested === 1;
  }

  setExecutionProvider(id: number, provider: string): void {
    this.db.prepare(`UPDATE training_runs SET execution_provider = ? WHERE id = ?`).run(provider, id);
  }

  recordStep(id: number, report: StepReport): void {
    this.db.transaction(() => {
      this.db.prepare(`INSERT OR REPLACE INTO training_losses (run_id, step, losses) VALUES (?, ?, ?)`).run(id, report.step, JSON.stringify(report.losses));
      this.db
        .prepare(`UPDATE training_runs SET step = ?, it_per_sec = ?, eta_seconds = ? WHERE id = ?`)
        .run(report.step, report.itPerSec, report.etaSeconds, id);
    })();
  }

  /** A resumed run redoes the steps after its checkpoint: forget their losses so the curve has no doubles. */
  truncateAfter(id: number, step: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM training_losses WHERE run_id = ? AND step > ?`).run(id, step);
      this.db.prepare(`DELETE FROM training_previews WHERE run_id = ? AND step > ?`).run(id, step);
      this.db.prepare(`DELETE FROM training_checkpoints WHERE run_id = ? AND step > ?`).run(id, step);
      this.db.prepare(`UPDATE training_runs SET step = ? WHERE id = ?`).run(step, id);
    })();
  }

  recordCheckpoint(id: number, step: number): void {
    this.db.prepare(`INSERT OR IGNORE INTO training_checkpoints (run_id, step, created_at) VALUES (?, ?, ?)`).run(id, step, this.clock());
  }

  recordPreview(id: number, step: number, sha256s: readonly string[], heldOutPsnr: number | null, pairIds: readonly (number | null)[] = []): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO training_previews (run_id, step, position, sha256, held_out_psnr, pair_id)
       VALUES (?, ?, ?, ?, ?, (SELECT id FROM pairs WHERE id = ?))`,
    );
    this.db.transaction(() => sha256s.forEach((sha, position) => insert.run(id, step, position, sha, heldOutPsnr, pairIds[position] ?? null)))();
  }

  /** The measured speed of the newest runs on this machine (any project), newest first: for time estimates. */
  recentSpeeds(limit = 20): { runId: number; settings: TrainingSettingsSummary; itPerSec: number; executionProvider: string | null }[] {
    const rows = this.db
      .prepare(`SELECT id, settings, it_per_sec, execution_provider FROM training_runs WHERE it_per_sec > 0 ORDER BY id DESC LIMIT ?`)
      .all(limit) as { id: number; settings: string; it_per_sec: number; execution_provider: string | null }[];
    return rows.map((row) => ({
      runId: row.id,
      settings: JSON.parse(row.settings) as TrainingSettingsSummary,
      itPerSec: row.it_per_sec,
      executionProvider: row.execution_provider,
    }));
  }

  /** The run's reference PSNRs (the same for every preview of a run: the newest report wins). */
  setBaselines(id: number, baselines: QualityBaselines): void {
    this.db.prepare(`UPDATE training_runs SET identity_psnr = ?, affine_psnr = ? WHERE id = ?`).run(baselines.identityPsnr, baselines.affinePsnr, id);
  }

  latestCheckpoint(id: number): { step: number; liveModelSha256: string | null } | undefined {
    const row = this.db.prepare(`SELECT step, live_model_sha256 FROM training_checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1`).get(id) as
      | { step: number; live_model_sha256: string | null }
      | undefined;
    return row && { step: row.step, liveModelSha256: row.live_model_sha256 };
  }

  setLiveModel(id: number, step: number, sha256: string): void {
    this.db.prepare(`UPDATE training_checkpoints SET live_model_sha256 = ? WHERE run_id = ? AND step = ?`).run(sha256, id, step);
  }

  /**
   * What a progress event needs, without loading the whole history: called on every reported step in the
   * process that owns the UI, so it stays a few indexed lookups however long the run is.
   */
  progressOf(
    id: number,
  ):
    | { run: Omit<TrainingRun, 'lossHistory' | 'checkpoints' | 'previews'>; losses: Record<string, number>; previewSha256s: string[]; produced: number }
    | undefined {
    const row = this.db.prepare(`SELECT * FROM training_runs WHERE id = ?`).get(id) as RunRow | undefined;
    if (!row) return undefined;
    const latest = this.db.prepare(`SELECT losses FROM training_losses WHERE run_id = ? ORDER BY step DESC LIMIT 1`).get(id) as { losses: string } | undefined;
    const previews = this.db
      .prepare(`SELECT sha256 FROM training_previews WHERE run_id = ? AND step = (SELECT max(step) FROM training_previews WHERE run_id = ?) ORDER BY position`)
      .all(id, id) as { sha256: string }[];
    const counts = this.db
      .prepare(
        `SELECT (SELECT count(*) FROM training_checkpoints WHERE run_id = ?) + (SELECT count(DISTINCT step) FROM training_previews WHERE run_id = ?) AS n`,
      )
      .get(id, id) as { n: number };
    return {
      run: this.rowFields(row),
      losses: latest ? (JSON.parse(latest.losses) as Record<string, number>) : {},
      previewSha256s: previews.map((p) => p.sha256),
      produced: counts.n,
    };
  }

  private toRun(row: RunRow): TrainingRun {
    const losses = this.db.prepare(`SELECT step, losses FROM training_losses WHERE run_id = ? ORDER BY step`).all(row.id) as {
      step: number;
      losses: string;
    }[];
    const checkpoints = this.db.prepare(`SELECT step, created_at, live_model_sha256 FROM training_checkpoints WHERE run_id = ? ORDER BY step`).all(row.id) as {
      step: number;
      created_at: string;
      live_model_sha256: string | null;
    }[];
    const previewRows = this.db
      .prepare(`SELECT step, sha256, held_out_psnr, pair_id FROM training_previews WHERE run_id = ? ORDER BY step, position`)
      .all(row.id) as { step: number; sha256: string; held_out_psnr: number | null; pair_id: number | null }[];
    const previews: (TrainingPreview & { pairIds: (number | null)[] })[] = [];
    for (const preview of previewRows) {
      const last = previews.at(-1);
      if (last && last.step === preview.step) {
        last.sha256s.push(preview.sha256);
        last.pairIds.push(preview.pair_id);
      } else {
        previews.push({ step: preview.step, sha256s: [preview.sha256], pairIds: [preview.pair_id], heldOutPsnr: preview.held_out_psnr });
      }
    }
    return {
      ...this.rowFields(row),
      lossHistory: losses.map((l): LossPoint => ({ step: l.step, losses: JSON.parse(l.losses) as Record<string, number> })),
      checkpoints: checkpoints.map((c): TrainingCheckpoint => ({ step: c.step, createdAt: c.created_at, liveModelSha256: c.live_model_sha256 })),
      previews,
    };
  }

  private rowFields(row: RunRow): Omit<TrainingRun, 'lossHistory' | 'checkpoints' | 'previews'> {
    return {
      id: row.id,
      projectId: row.project_id,
      conceptId: row.concept_id,
      jobId: row.job_id,
      state: row.state,
      settings: JSON.parse(row.settings) as TrainingSettingsSummary,
      runPath: row.run_path,
      step: row.step,
      totalSteps: row.total_steps,
      baselines: row.identity_psnr !== null && row.affine_psnr !== null ? { identityPsnr: row.identity_psnr, affinePsnr: row.affine_psnr } : null,
      itPerSec: row.it_per_sec,
      etaSeconds: row.eta_seconds,
      executionProvider: row.execution_provider,
      error: row.error,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}
