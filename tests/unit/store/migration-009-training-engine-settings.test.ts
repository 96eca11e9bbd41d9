import type { Database } from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, userVersion } from '../../../electron/store/database';
import { migrations } from '../../../electron/store/migrations/index';
import { TrainingRunsRepository } from '../../../electron/store/repositories/training-runs';
import type { TrainingRunEngine } from '../../../electron/domain/training-engine';
import { DEFAULT_SETTINGS } from '../../../native-models/e2gan/trainer';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let db: Database;
const T = '2026-01-01T00:00:00.000Z';

beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: migrations.filter((m) => m.version < 9) });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'p', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO concepts (id, project_id, name, created_at, updated_at) VALUES (3, 7, 'c', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO training_runs (id, project_id, concept_id, settings, run_path, total_steps, created_at) VALUES (1, 7, 3, '{}', '/r', 4, ?)`).run(T);
  migrate(
    db,
    migrations.filter((m) => m.version <= 9),
  );
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

describe('migration 009 (training engine settings)', () => {
  it('runs from before have none (their job reads run.json once); recorded ones round-trip exactly', () => {
    expect(userVersion(db)).toBe(9);
    const runs = new TrainingRunsRepository(db, () => T);
    expect(runs.engineOf(1)).toBeUndefined();
    const { steps: _steps, ...settings } = DEFAULT_SETTINGS;
    const engine: TrainingRunEngine = { settings: { ...settings, ranks: { 'down.0': 4, 'up.1': 0 }, teacher: 'sepia' }, pairIds: [5, 2, 9] };
    runs.setEngine(1, engine);
    expect(runs.engineOf(1)).toEqual(engine);
    expect(runs.get(1)!.totalSteps).toBe(4);
    expect(runs.engineOf(2)).toBeUndefined();
  });
});
