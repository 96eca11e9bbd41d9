import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';
const before = migrations.filter((m) => m.version < 4);
// Later migrations may change these tables again; this test pins the schema as migration 4 left it.
const upTo4 = migrations.filter((m) => m.version <= 4);

beforeEach(() => {
  temp = makeTempDir();
  // A version-3 database with a project, a concept and a finished job, as a user upgrading would have.
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: before });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'existing', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO concepts (id, project_id, name, created_at, updated_at) VALUES (3, 7, 'sepia', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO jobs (id, kind, project_id, state, payload, created_at) VALUES (11, 'export-bundle', 7, 'done', '{}', ?)`).run(T);
  migrate(db, upTo4);
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

function addExport(
  fields: { precisions?: string; manifest?: string; warnings?: string; conceptId?: number | null; jobId?: number | null; zipBytes?: number } = {},
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO exports (project_id, concept_id, job_id, run_path, zip_path, precisions, manifest, warnings, zip_bytes, created_at)
         VALUES (7, ?, ?, '/runs/a', 'exports/job-11/a.zip', ?, ?, ?, ?, ?)`,
      )
      .run(
        fields.conceptId === undefined ? 3 : fields.conceptId,
        fields.jobId === undefined ? null : fields.jobId,
        fields.precisions ?? '["fp32"]',
        fields.manifest ?? '{"files":[]}',
        fields.warnings ?? '[]',
        fields.zipBytes ?? 10,
        T,
      ).lastInsertRowid,
  );
}

describe('migration 004 (exports)', () => {
  it('upgrades a version-3 database and keeps its rows', () => {
    expect(userVersion(db)).toBe(4);
    expect(db.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'existing' }]);
    expect(db.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 11 }]);
  });

  it('accepts only JSON arrays for precisions and warnings, a JSON object manifest and a non-negative size', () => {
    expect(() => addExport({ precisions: '"fp32"' })).toThrow(/CHECK constraint failed/);
    expect(() => addExport({ precisions: '[fp32' })).toThrow(/CHECK constraint failed/);
    expect(() => addExport({ manifest: '[]' })).toThrow(/CHECK constraint failed/);
    expect(() => addExport({ warnings: '{}' })).toThrow(/CHECK constraint failed/);
    expect(() => addExport({ zipBytes: -1 })).toThrow(/CHECK constraint failed/);
    expect(() => addExport()).not.toThrow();
  });

  it('allows one export per job, keeps exports of a deleted concept or job, and drops them with their project', () => {
    const id = addExport({ jobId: 11 });
    expect(() => addExport({ jobId: 11 })).toThrow(/UNIQUE constraint failed/);
    db.prepare('DELETE FROM concepts WHERE id = 3').run();
    db.prepare('DELETE FROM jobs WHERE id = 11').run();
    expect(db.prepare('SELECT concept_id, job_id FROM exports WHERE id = ?').get(id)).toEqual({ concept_id: null, job_id: null });
    db.prepare('DELETE FROM projects WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) AS n FROM exports').get()).toEqual({ n: 0 });
  });
});
