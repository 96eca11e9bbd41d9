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

beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(path.join(temp.dir, 'studio.sqlite'), { migrations: migrations.filter((m) => m.version < 8) });
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'p', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO concepts (id, project_id, name, created_at, updated_at) VALUES (3, 7, 'c', ?, ?)`).run(T, T);
  db.prepare(`INSERT INTO training_runs (id, project_id, concept_id, settings, run_path, total_steps, created_at) VALUES (1, 7, 3, '{}', '/r', 4, ?)`).run(T);
  migrate(
    db,
    migrations.filter((m) => m.version <= 8),
  );
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

describe('migration 008 (training baselines)', () => {
  it('runs trained before have no baselines; reported ones round-trip and the newest report wins', () => {
    expect(userVersion(db)).toBe(8);
    const runs = new TrainingRunsRepository(db, () => T);
    expect(runs.get(1)!.baselines).toBeNull();
    runs.setBaselines(1, { identityPsnr: 14.25, affinePsnr: 19.5 });
    expect(runs.get(1)!.baselines).toEqual({ identityPsnr: 14.25, affinePsnr: 19.5 });
    runs.setBaselines(1, { identityPsnr: 14.5, affinePsnr: 20 });
    expect(runs.get(1)!.baselines).toEqual({ identityPsnr: 14.5, affinePsnr: 20 });
  });
});
