import { rmSync, statSync } from 'node:fs';
import { BLOB_REFERENCE_COLUMNS } from './blob-references';
import type { Store } from './store';

export interface GarbageCollectionOptions {
  /** Blobs written or reused more recently than this are kept (ms, default one hour). */
  minAgeMs?: number;
  now?: number;
}

export interface GarbageCollectionResult {
  examined: number;
  removed: number;
  bytesFreed: number;
  /** Set when collection stopped early, e.g. because a job started writing blobs. */
  stoppedBecause: string | null;
}

const BATCH = 200;

/**
 * Deletes blobs no row refers to (left by deleted images and projects, or by an import killed between writing a
 * blob and committing its row). Each batch runs inside an IMMEDIATE transaction and only while no job is queued
 * or running in any process: jobs are the only blob writers, and claiming a job needs the write lock we hold,
 * so no writer can reference a blob while we delete it. The age threshold is a second guard.
 */
export function collectGarbage(store: Store, options: GarbageCollectionOptions = {}): GarbageCollectionResult {
  const minAgeMs = options.minAgeMs ?? 60 * 60 * 1000;
  const now = options.now ?? Date.now();
  const candidates = store.blobs.listBlobs().filter((blob) => now - blob.mtimeMs >= minAgeMs);
  const result: GarbageCollectionResult = { examined: candidates.length, removed: 0, bytesFreed: 0, stoppedBecause: null };
  const busyJobs = store.db.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'running')`);

  for (let start = 0; start < candidates.length; start += BATCH) {
    const batch = candidates.slice(start, start + BATCH);
    const stopped = store.db
      .transaction((): string | null => {
        const busy = (busyJobs.get() as { n: number }).n;
        if (busy > 0) return `${busy} job(s) queued or running`;
        const referenced = referencedAmong(
          store,
          batch.map((blob) => blob.sha256),
        );
        for (const blob of batch) {
          if (referenced.has(blob.sha256)) continue;
          const file = store.blobs.pathFor(blob.sha256);
          try {
            if (now - statSync(file).mtimeMs < minAgeMs) continue;
            rmSync(file);
            result.removed += 1;
            result.bytesFreed += blob.bytes;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
        }
        return null;
      })
      .immediate();
    if (stopped) {
      result.stoppedBecause = stopped;
      break;
    }
  }
  return result;
}

function referencedAmong(store: Store, shas: string[]): Set<string> {
  if (shas.length === 0) return new Set();
  const placeholders = shas.map(() => '?').join(', ');
  const sql = BLOB_REFERENCE_COLUMNS.map(({ table, column }) => `SELECT ${column} AS sha FROM ${table} WHERE ${column} IN (${placeholders})`).join(' UNION ');
  const params = BLOB_REFERENCE_COLUMNS.flatMap(() => shas);
  return new Set((store.db.prepare(sql).all(...params) as { sha: string }[]).map((row) => row.sha));
}
