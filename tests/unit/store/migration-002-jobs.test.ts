import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migration001Initial } from '../../../electron/store/migrations/001-initial';
import { migration002Jobs } from '../../../electron/store/migrations/002-jobs';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';

beforeEach(() => {
  temp = makeTempDir();
  // Start at version 1 with data in it, as a user upgrading from the first release would.
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: [migration001Initial] });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'existing', ?, ?)`).run(T, T);
  migrate(db, [migration001Initial, migration002Jobs]);
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

function addJob(fields: { state?: string; payload?: string; projectId?: number | null; progress?: number } = {}): number {
  return Number(
    db
      .prepare(`INSERT INTO jobs (kind, project_id, state, payload, progress, created_at) VALUES ('import-images', ?, ?, ?, ?, ?)`)
      .run(fields.projectId === undefined ? 7 : fields.projectId, fields.state ?? 'queued', fields.payload ?? '{}', fields.progress ?? 0, T).lastInsertRowid,
  );
}

describe('migration 002 (jobs)', () => {
  it('upgrades a version-1 database and keeps its rows', () => {
    expect(userVersion(db)).toBe(2);
    expect(db.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'existing' }]);
  });

  it('accepts only the known job states, valid JSON payloads and progress in 0..1', () => {
    expect(() => addJob({ state: 'paused' })).toThrow(/CHECK constraint failed/);
    expect(() => addJob({ payload: '{not json' })).toThrow(/CHECK constraint failed/);
    expect(() => addJob({ progress: 1.5 })).toThrow(/CHECK constraint failed/);
    for (const state of ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']) {
      expect(() => addJob({ state })).not.toThrow();
    }
  });

  it('allows jobs without a project, and removes a project’s jobs and import items with it', () => {
    expect(() => addJob({ projectId: null })).not.toThrow();
    const job = addJob();
    db.prepare(`INSERT INTO import_items (job_id, seq, path, name, status) VALUES (?, 0, '/x.png', 'x.png', 'pending')`).run(job);
    db.prepare('DELETE FROM projects WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM import_items').get()).toEqual({ n: 0 });
  });

  it('rejects unknown import item statuses and duplicate (job, seq)', () => {
    const job = addJob();
    const insert = db.prepare(`INSERT INTO import_items (job_id, seq, path, name, status) VALUES (?, 0, '/x', 'x', ?)`);
    expect(() => insert.run(job, 'maybe')).toThrow(/CHECK constraint failed/);
    insert.run(job, 'pending');
    expect(() => insert.run(job, 'pending')).toThrow(/UNIQUE constraint failed|PRIMARY KEY/);
  });
});
