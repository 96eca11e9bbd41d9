import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { BundleManifest, ExportRecord, Precision } from '../../domain/export-types';
import { systemClock, type Clock } from './clock';

interface ExportRow {
  id: number;
  project_id: number;
  concept_id: number | null;
  job_id: number | null;
  run_path: string;
  zip_path: string;
  precisions: string;
  manifest: string;
  warnings: string;
  zip_bytes: number;
  created_at: string;
}

export interface NewExport {
  projectId: number;
  conceptId: number | null;
  jobId: number | null;
  runPath: string;
  /** Relative to the data folder. */
  zipPath: string;
  zipBytes: number;
  precisions: readonly Precision[];
  manifest: BundleManifest;
  warnings: readonly string[];
}

export class ExportsRepository {
  constructor(
    private readonly db: Database,
    /** Data folder that zip paths are relative to. */
    private readonly root: string,
    private readonly clock: Clock = systemClock,
  ) {}

  list(filter: { projectId: number; conceptId?: number }): ExportRecord[] {
    const rows = (
      filter.conceptId === undefined
        ? this.db.prepare('SELECT * FROM exports WHERE project_id = ? ORDER BY id DESC').all(filter.projectId)
        : this.db.prepare('SELECT * FROM exports WHERE project_id = ? AND concept_id = ? ORDER BY id DESC').all(filter.projectId, filter.conceptId)
    ) as ExportRow[];
    return rows.map((row) => this.toRecord(row));
  }

  get(id: number): ExportRecord | undefined {
    const row = this.db.prepare('SELECT * FROM exports WHERE id = ?').get(id) as ExportRow | undefined;
    return row && this.toRecord(row);
  }

  findByJob(jobId: number): ExportRecord | undefined {
    const row = this.db.prepare('SELECT * FROM exports WHERE job_id = ?').get(jobId) as ExportRow | undefined;
    return row && this.toRecord(row);
  }

  insert(fields: NewExport): ExportRecord {
    const info = this.db
      .prepare(
        `INSERT INTO exports (project_id, concept_id, job_id, run_path, zip_path, precisions, manifest, warnings, zip_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        fields.projectId,
        fields.conceptId,
        fields.jobId,
        fields.runPath,
        fields.zipPath,
        JSON.stringify(fields.precisions),
        JSON.stringify(fields.manifest),
        JSON.stringify(fields.warnings),
        fields.zipBytes,
        this.clock(),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM exports WHERE id = ?').run(id).changes > 0;
  }

  private toRecord(row: ExportRow): ExportRecord {
    const manifest = JSON.parse(row.manifest) as BundleManifest;
    return {
      id: row.id,
      projectId: row.project_id,
      conceptId: row.concept_id,
      jobId: row.job_id,
      runPath: row.run_path,
      zipPath: path.join(this.root, row.zip_path),
      zipBytes: row.zip_bytes,
      precisions: JSON.parse(row.precisions) as Precision[],
      manifest,
      warnings: JSON.parse(row.warnings) as string[],
      files: manifest.files.map((file) => ({ path: file.path, bytes: file.bytes, sha256: file.sha256 })),
      createdAt: row.created_at,
    };
  }
}
