import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';

beforeEach(() => {
  temp = makeTempDir();
  // A version-2 database with a running job, upgraded in place.
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: migrations.slice(0, 2) });
  db.prepare(`INSERT INTO jobs (id, kind, state, payload, created_at) VALUES (5, 'import-images', 'running', '{}', ?)`).run(T);
  migrate(db, migrations.slice(0, 3));
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

describe('migration 003 (job cancel requests)', () => {
  it('adds cancel_requested, 0 for existing jobs', () => {
    expect(userVersion(db)).toBe(3);
    expect(db.prepare('SELECT id, state, cancel_requested FROM jobs').all()).toEqual([{ id: 5, state: 'running', cancel_requested: 0 }]);
  });

  it('accepts only 0 and 1', () => {
    expect(() => db.prepare('UPDATE jobs SET cancel_requested = 2 WHERE id = 5').run()).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = 5').run()).not.toThrow();
  });
});
