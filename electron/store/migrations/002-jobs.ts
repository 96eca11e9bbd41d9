import type { Migration } from './migration';

/**
 * The persisted job queue, and per-file progress of import jobs. Each imported file's image row and its
 * import_items row are written in one transaction, so a job killed at any point resumes exactly where it stopped.
 */
export const migration002Jobs: Migration = {
  version: 2,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,
        project_id   INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        state        TEXT NOT NULL
                     CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        progress     REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        message      TEXT,
        payload      TEXT NOT NULL CHECK (json_valid(payload)),
        result       TEXT CHECK (result IS NULL OR json_valid(result)),
        error        TEXT,
        -- The process running the job: recovery only interrupts jobs whose owner is gone, so the CLI opening
        -- the data folder while the app runs an import does not steal it.
        owner_pid    INTEGER,
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        finished_at  TEXT
      );
      CREATE INDEX jobs_by_state ON jobs (state, id);
      CREATE INDEX jobs_by_project ON jobs (project_id, id);

      CREATE TABLE import_items (
        job_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        seq       INTEGER NOT NULL,
        path      TEXT NOT NULL,
        name      TEXT NOT NULL,
        status    TEXT NOT NULL CHECK (status IN ('pending', 'imported', 'duplicate', 'skipped')),
        reason    TEXT,
        image_id  INTEGER REFERENCES images(id) ON DELETE SET NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
    `);
  },
};
