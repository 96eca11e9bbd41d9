import type { Database } from 'better-sqlite3';

export type ImportItemStatus = 'pending' | 'imported' | 'duplicate' | 'skipped';

export interface ImportItem {
  jobId: number;
  seq: number;
  path: string;
  name: string;
  status: ImportItemStatus;
  reason: string | null;
  imageId: number | null;
}

interface ImportItemRow {
  job_id: number;
  seq: number;
  path: string;
  name: string;
  status: ImportItemStatus;
  reason: string | null;
  image_id: number | null;
}

function toItem(row: ImportItemRow): ImportItem {
  return {
    jobId: row.job_id,
    seq: row.seq,
    path: row.path,
    name: row.name,
    status: row.status,
    reason: row.reason,
    imageId: row.image_id,
  };
}

/** The files of one import job and what happened to each: the job's resumable progress. */
export class ImportItemsRepository {
  constructor(private readonly db: Database) {}

  /** Records the expanded file list once; the whole list lands or none of it. */
  addAll(jobId: number, files: readonly { path: string; name: string }[]): void {
    const insert = this.db.prepare(`INSERT INTO import_items (job_id, seq, path, name, status) VALUES (?, ?, ?, ?, 'pending')`);
    this.db.transaction(() => files.forEach((file, seq) => insert.run(jobId, seq, file.path, file.name)))();
  }

  list(jobId: number): ImportItem[] {
    const rows = this.db.prepare('SELECT * FROM import_items WHERE job_id = ? ORDER BY seq').all(jobId) as ImportItemRow[];
    return rows.map(toItem);
  }

  count(jobId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM import_items WHERE job_id = ?').get(jobId) as { n: number }).n;
  }

  /** Settles one pending item; false if it was already settled (so a resumed job never counts a file twice). */
  settle(jobId: number, seq: number, status: Exclude<ImportItemStatus, 'pending'>, fields: { reason?: string; imageId?: number }): boolean {
    const info = this.db
      .prepare(`UPDATE import_items SET status = ?, reason = ?, image_id = ? WHERE job_id = ? AND seq = ? AND status = 'pending'`)
      .run(status, fields.reason ?? null, fields.imageId ?? null, jobId, seq);
    return info.changes > 0;
  }
}
