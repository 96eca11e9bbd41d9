import type { Migration } from './migration';

/**
 * The trainer reports, per run, the held-out PSNR of two references that need no training (the input as the
 * output, and a least-squares RGB affine colour map fitted on the training pairs). They are one fact per run
 * (same held-out pairs, same training pairs), so they live on the run, null for runs trained before.
 */
export const migration008TrainingBaselines: Migration = {
  version: 8,
  name: 'training-baselines',
  up(db) {
    db.exec(`
      ALTER TABLE training_runs ADD COLUMN identity_psnr REAL;
      ALTER TABLE training_runs ADD COLUMN affine_psnr REAL;
    `);
  },
};
