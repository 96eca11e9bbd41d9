import type { Migration } from './migration';

/**
 * A pause is a cancel of the run's job that should end as 'paused'. The request is stored with the run (not in
 * memory) because the job may be running in another process: a CLI can pause a run the app is training, and
 * the process that owns the job maps its end to the right state.
 */
export const migration007TrainingPauseRequests: Migration = {
  version: 7,
  name: 'training-pause-requests',
  up(db) {
    db.exec(`ALTER TABLE training_runs ADD COLUMN pause_requested INTEGER NOT NULL DEFAULT 0 CHECK (pause_requested IN (0, 1));`);
  },
};
