import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import { PairsRepository } from '../../../electron/store/repositories/pairs';
import { TrainingRunsRepository } from '../../../electron/store/repositories/training-runs';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

beforeEach(() => {
  temp = makeTempDir();
  // A version-4 database with a project, a concept and an image, as a user upgrading would have.
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: migrations.filter((m) => m.version < 5) });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'existing', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO concepts (id, project_id, name, created_at, updated_at) VALUES (3, 7, 'sepia', ?, ?)`).run(T, T);
  db.prepare(
    `INSERT INTO images (id, project_id, sha256, original_name, format, width, height, bytes, thumbnail_sha256, imported_at)
     VALUES (5, 7, ?, 'cat.png', 'png', 32, 32, 100, ?, ?)`,
  ).run(SHA_A, SHA_B, T);
  migrate(db, migrations);
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

function addPair(fields: { status?: string; teacher?: string; imageId?: number | null; inputSha?: string } = {}): number {
  return Number(
    db
      .prepare(
        `INSERT INTO pairs (project_id, concept_id, image_id, name, input_sha256, target_sha256, status, teacher, created_at, updated_at)
         VALUES (7, 3, ?, 'cat', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        fields.imageId === undefined ? 5 : fields.imageId,
        fields.inputSha ?? SHA_A,
        SHA_B,
        fields.status ?? 'pending',
        fields.teacher ?? '{"kind":"builtin","id":"sepia"}',
        T,
        T,
      ).lastInsertRowid,
  );
}

describe('migration 005 (flow: pairs and training runs)', () => {
  it('upgrades a version-4 database and keeps its rows', () => {
    expect(userVersion(db)).toBeGreaterThanOrEqual(5);
    expect(db.prepare('SELECT name FROM concepts').all()).toEqual([{ name: 'sepia' }]);
  });

  it('checks pair status, teacher JSON and blob addresses', () => {
    expect(() => addPair({ status: 'maybe' })).toThrow(/CHECK constraint failed/);
    expect(() => addPair({ teacher: '"sepia"' })).toThrow(/CHECK constraint failed/);
    expect(() => addPair({ inputSha: 'abc' })).toThrow(/CHECK constraint failed/);
    expect(() => addPair({ status: 'guard-rejected' })).not.toThrow();
  });

  it('allows one generated pair per photo and concept but any number of imported ones', () => {
    addPair();
    expect(() => addPair()).toThrow(/UNIQUE constraint failed/);
    addPair({ imageId: null });
    addPair({ imageId: null });
    expect(db.prepare('SELECT count(*) AS n FROM pairs').get()).toEqual({ n: 3 });
  });

  it('keeps a pair whose photo is deleted and drops pairs and runs with their concept', () => {
    const pairId = addPair();
    const runs = new TrainingRunsRepository(db, () => T);
    const run = runs.create({ projectId: 7, conceptId: 3, settings: settings(), runPath: '/runs/1', totalSteps: 4 });
    runs.recordStep(run.id, { step: 1, losses: { g: 1 }, itPerSec: 2, etaSeconds: 1.5 });
    runs.recordCheckpoint(run.id, 1);
    runs.recordPreview(run.id, 1, [SHA_A, SHA_B], 20);
    db.prepare('DELETE FROM images WHERE id = 5').run();
    expect(db.prepare('SELECT image_id FROM pairs WHERE id = ?').get(pairId)).toEqual({ image_id: null });
    db.prepare('DELETE FROM concepts WHERE id = 3').run();
    for (const table of ['pairs', 'training_runs', 'training_losses', 'training_checkpoints', 'training_previews']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  });

  it('round-trips a run with its losses, checkpoints and previews, and truncates redone steps', () => {
    const runs = new TrainingRunsRepository(db, () => T);
    const run = runs.create({ projectId: 7, conceptId: 3, settings: settings(), runPath: '/runs/1', totalSteps: 4 });
    for (const step of [1, 2, 3]) runs.recordStep(run.id, { step, losses: { g: step }, itPerSec: 2, etaSeconds: 4 - step });
    runs.recordCheckpoint(run.id, 2);
    runs.recordPreview(run.id, 2, [SHA_A, SHA_B], 21.5);
    runs.setState(run.id, 'running');
    let stored = runs.get(run.id)!;
    expect(stored.step).toBe(3);
    expect(stored.lossHistory.map((p) => p.losses.g)).toEqual([1, 2, 3]);
    expect(stored.previews).toEqual([{ step: 2, sha256s: [SHA_A, SHA_B], pairIds: [null, null], heldOutPsnr: 21.5 }]);
    expect(stored.startedAt).toBe(T);
    runs.truncateAfter(run.id, 2);
    stored = runs.get(run.id)!;
    expect(stored.step).toBe(2);
    expect(stored.lossHistory.map((p) => p.step)).toEqual([1, 2]);
    expect(() => db.prepare(`UPDATE training_runs SET state = 'sleeping' WHERE id = ?`).run(run.id)).toThrow(/CHECK constraint failed/);
  });

  it('pairs repository: regenerating a photo replaces its pair and clears its subset mark', () => {
    const pairs = new PairsRepository(db, () => T);
    const first = pairs.upsert({
      projectId: 7,
      conceptId: 3,
      imageId: 5,
      name: 'cat',
      inputSha256: SHA_A,
      targetSha256: SHA_B,
      status: 'pending',
      reason: null,
      seed: 0,
      teacher: { kind: 'builtin', id: 'sepia' },
    });
    pairs.setSubset(3, [first.id]);
    expect(pairs.get(first.id)!.inSubset).toBe(true);
    const again = pairs.upsert({ ...first, targetSha256: SHA_A, seed: 1, status: 'guard-rejected', reason: 'near-identical' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ seed: 1, status: 'guard-rejected', reason: 'near-identical', inSubset: null, targetSha256: SHA_A });
  });
});

function settings() {
  return { preset: 'fast' as const, steps: 4, size: 32, rank: 2, learningRate: 1e-3, executionProvider: 'cpu' as const, checkpointEvery: 2, previewEvery: 2 };
}
