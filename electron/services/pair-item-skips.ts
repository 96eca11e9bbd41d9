import type { Database } from 'better-sqlite3';

/**
 * Per-item cancel of a generate-pairs job: the photos to skip are kept in the job's own payload
 * (payload.skippedImageIds) rather than in memory, because the job may run in another process or a worker
 * thread; the worker reads the set again before each photo, so the rest of the job carries on.
 */
export function addSkippedPairItem(db: Database, jobId: number, imageId: number): number[] {
  return db.transaction(() => {
    const skipped = readSkippedPairItems(db, jobId);
    if (!skipped.includes(imageId)) skipped.push(imageId);
    db.prepare(`UPDATE jobs SET payload = json_set(payload, '$.skippedImageIds', json(?)) WHERE id = ?`).run(JSON.stringify(skipped), jobId);
    return skipped;
  })();
}

/** The photos a generate-pairs job was asked to skip, in the order they were asked for. */
export function readSkippedPairItems(db: Database, jobId: number): number[] {
  const row = db.prepare(`SELECT json_extract(payload, '$.skippedImageIds') AS skipped FROM jobs WHERE id = ?`).get(jobId) as
    | { skipped: string | null }
    | undefined;
  return row?.skipped ? (JSON.parse(row.skipped) as number[]) : [];
}
