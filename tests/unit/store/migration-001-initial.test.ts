import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, userVersion } from '../../../electron/store/database';
import { migration001Initial } from '../../../electron/store/migrations/001-initial';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: [migration001Initial] });
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

const T = '2026-01-01T00:00:00.000Z';
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function addProject(name = 'p'): number {
  return Number(db.prepare('INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)').run(name, T, T).lastInsertRowid);
}
function addImage(projectId: number, sha = SHA_A, width = 10): void {
  db.prepare(
    `INSERT INTO images (project_id, sha256, original_name, format, width, height, bytes, thumbnail_sha256, imported_at)
     VALUES (?, ?, 'a.png', 'png', ?, 10, 100, ?, ?)`,
  ).run(projectId, sha, width, SHA_B, T);
}

describe('migration 001 (initial)', () => {
  it('creates projects, concepts and images at user_version 1', () => {
    expect(userVersion(db)).toBe(1);
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(['concepts', 'images', 'projects']);
  });

  it('rejects an empty project name', () => {
    expect(() => addProject('   ')).toThrow(/CHECK constraint failed/);
  });

  it('keeps one row per (project, sha256) but lets two projects share bytes', () => {
    const one = addProject('one');
    const two = addProject('two');
    addImage(one);
    expect(() => addImage(one)).toThrow(/UNIQUE constraint failed: images.project_id, images.sha256/);
    expect(() => addImage(two)).not.toThrow();
  });

  it('rejects malformed image rows (bad sha, zero size) and unknown projects', () => {
    const project = addProject();
    expect(() => addImage(project, 'abc')).toThrow(/CHECK constraint failed/);
    expect(() => addImage(project, SHA_A, 0)).toThrow(/CHECK constraint failed/);
    expect(() => addImage(project + 100)).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('deleting a project deletes its concepts and images', () => {
    const project = addProject();
    addImage(project);
    db.prepare(`INSERT INTO concepts (project_id, name, created_at, updated_at) VALUES (?, 'ink', ?, ?)`).run(project, T, T);
    db.prepare('DELETE FROM projects WHERE id = ?').run(project);
    expect(db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM concepts').get()).toEqual({ n: 0 });
  });

  it('keeps concept names unique per project', () => {
    const project = addProject();
    const insert = db.prepare(`INSERT INTO concepts (project_id, name, created_at, updated_at) VALUES (?, 'ink', ?, ?)`);
    insert.run(project, T, T);
    expect(() => insert.run(project, T, T)).toThrow(/UNIQUE constraint failed/);
  });
});
