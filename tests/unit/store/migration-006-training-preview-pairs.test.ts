import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import { TrainingRunsRepository } from '../../../electron/store/repositories/training-runs';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';
const SHA = 'c'.repeat(64);

beforeEach(() => {
  temp = makeTempDir();
  // A version-5 database with a run that already has a preview row, as a user upgrading would have.
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: migrations.filter((m) => m.version < 6) });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'p', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO concepts (id, project_id, name, created_at, updated_at) VALUES (3, 7, 'c', ?, ?)`).run(T, T);
  db.prepare(
    `INSERT INTO pairs (id, project_id, concept_id, name, input_sha256, target_sha256, teacher, created_at, updated_at)
     VALUES (9, 7, 3, 'cat', ?, ?, '{"kind":"imported"}', ?, ?)`,
  ).run(SHA, SHA, T, T);
  db.prepare(`INSERT INTO training_runs (id, project_id, concept_id, settings, run_path, total_steps, created_at) VALUES (1, 7, 3, '{}', '/r', 4, ?)`).run(T);
  db.prepare(`INSERT INTO training_previews (run_id, step, position, sha256) VALUES (1, 0, 0, ?)`).run(SHA);
  migrate(
    db,
    migrations.filter((m) => m.version <= 6),
  );
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

describe('migration 006 (training preview pairs)', () => {
  it('keeps old previews (no pair) and records the pair of new ones; a deleted pair leaves NULL', () => {
    expect(userVersion(db)).toBe(6);
    const runs = new TrainingRunsRepository(db, () => T);
    // 404 is no pair: recorded as unknown rather than failing the training job.
    runs.recordPreview(1, 2, [SHA, SHA], 20, [9, 404]);
    expect(runs.get(1)!.previews).toEqual([
      { step: 0, sha256s: [SHA], pairIds: [null], heldOutPsnr: null },
      { step: 2, sha256s: [SHA, SHA], pairIds: [9, null], heldOutPsnr: 20 },
    ]);
    db.prepare('DELETE FROM pairs WHERE id = 9').run();
    expect(runs.get(1)!.previews[1]!.pairIds).toEqual([null, null]);
  });
});
