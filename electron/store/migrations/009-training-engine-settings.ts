import type { Migration } from './migration';

/**
 * A run's engine settings and pair list (TrainingRunEngine, JSON) move onto its row: the training job used to
 * keep them in RUN/run.json and a folder of exported pair PNGs. Null until the job first resolves them; runs
 * started before this migration are read from their run.json once, on their next resume.
 */
export const migration009TrainingEngineSettings: Migration = {
  version: 9,
  name: 'training-engine-settings',
  up(db) {
    db.exec(`ALTER TABLE training_runs ADD COLUMN engine_settings TEXT;`);
  },
};
