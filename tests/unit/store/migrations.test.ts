import type { Database } from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, SCHEMA_VERSION, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import type { Migration } from '../../../electron/store/migrations/migration';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let file: string;
const open: Database[] = [];
beforeEach(() => {
  temp = makeTempDir();
  file = path.join(temp.dir, 'studio.sqlite');
});
afterEach(() => {
  open.splice(0).forEach((db) => db.open && db.close());
  temp.cleanup();
});
function track(db: Database): Database {
  open.push(db);
  return db;
}

describe('openDatabase', () => {
  it('opens in WAL mode with foreign keys and a busy timeout, at the latest schema version', () => {
    const db = track(openDatabase(file));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(migrations.length);
  });

  it('is idempotent: reopening applies nothing twice and keeps data', () => {
    const first = openDatabase(file);
    first.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES ('kept', 'x', 'x')`).run();
    first.close();
    const second = track(openDatabase(file));
    expect(userVersion(second)).toBe(SCHEMA_VERSION);
    expect(second.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'kept' }]);
  });

  it('names the file when it is not a SQLite database', () => {
    writeFileSync(file, 'this is not a database, just text that happens to be long enough to have a header');
    expect(() => openDatabase(file)).toThrow(`cannot open the studio database ${file}: file is not a database`);
  });

  it('refuses a database written by a newer build', () => {
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/schema version \d+ is newer than this app understands/);
  });
});

describe('migrate', () => {
  it('rolls back a failing migration completely and names it', () => {
    const db = track(openDatabase(file, { migrations: [] }));
    const broken: Migration = {
      version: 1,
      name: 'half-done',
      up(target) {
        target.exec('CREATE TABLE first_half (x INTEGER)');
        target.exec('THIS IS NOT SQL');
      },
    };
    expect(() => migrate(db, [broken])).toThrow(/migration 1 \(half-done\) failed/);
    expect(userVersion(db)).toBe(0);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE name = 'first_half'`).all();
    expect(tables).toEqual([]);
  });

  it('rejects a migration list with a gap', () => {
    const db = track(openDatabase(file, { migrations: [] }));
    const skip: Migration = { version: 2, name: 'skips-one', up: () => {} };
    expect(() => migrate(db, [skip])).toThrow(/position 1 holds version 2/);
  });

  it('applies only the steps newer than user_version', () => {
    const db = track(openDatabase(file, { migrations: migrations.slice(0, 1) }));
    expect(userVersion(db)).toBe(1);
    const runs: number[] = [];
    const spied = migrations.map((m) => ({
      ...m,
      up: (d: Database) => {
        runs.push(m.version);
        return m.up(d);
      },
    }));
    migrate(db, spied);
    expect(runs).toEqual(migrations.slice(1).map((m) => m.version));
    expect(userVersion(db)).toBe(migrations.length);
  });
});
