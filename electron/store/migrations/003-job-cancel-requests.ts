import type { Migration } from './migration';

/**
 * Lets any process ask for a running job to be cancelled: the process running it sees the flag at its next
 * progress report and stops the job at a safe point (the app can cancel an import the CLI started, and back).
 */
export const migration003JobCancelRequests: Migration = {
  version: 3,
  name: 'job-cancel-requests',
  up(db) {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
    `);
  },
};
