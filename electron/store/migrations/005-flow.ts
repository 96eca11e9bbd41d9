import type { Migration } from './migration';

/**
 * The studio flow (issue 7): teacher pairs per concept and LoRA training runs with their loss history,
 * checkpoints and preview grids. Images and targets are blobs; a run's tensors live in its e2gan run folder
 * (run_path), so a resume after a crash reads the same checkpoint files `e2gan train --resume` would.
 */
export const migration005Flow: Migration = {
  version: 5,
  name: 'flow',
  up(db) {
    db.exec(`
      CREATE TABLE pairs (
        id            INTEGER PRIMARY KEY,
        project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        concept_id    INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        -- NULL for imported pairs; a deleted photo keeps its pair (the input bytes are a blob of their own).
        image_id      INTEGER REFERENCES images(id) ON DELETE SET NULL,
        name          TEXT NOT NULL,
        input_sha256  TEXT NOT NULL CHECK (length(input_sha256) = 64),
        target_sha256 TEXT NOT NULL CHECK (length(target_sha256) = 64),
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'accepted', 'rejected', 'guard-rejected')),
        reason        TEXT,
        seed          INTEGER NOT NULL DEFAULT 0,
        teacher       TEXT NOT NULL CHECK (json_valid(teacher) AND json_type(teacher) = 'object'),
        -- Result of the last subset selection: 1 kept, 0 dropped, NULL none made since the pair appeared.
        in_subset     INTEGER CHECK (in_subset IN (0, 1)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      -- One generated pair per photo and concept: regenerating replaces the target in place.
      CREATE UNIQUE INDEX pairs_one_per_image ON pairs (concept_id, image_id) WHERE image_id IS NOT NULL;
      CREATE INDEX pairs_by_concept ON pairs (concept_id, id);

      CREATE TABLE training_runs (
        id                 INTEGER PRIMARY KEY,
        project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        concept_id         INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
        job_id             INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        state              TEXT NOT NULL DEFAULT 'queued'
                           CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled', 'interrupted')),
        settings           TEXT NOT NULL CHECK (json_valid(settings) AND json_type(settings) = 'object'),
        run_path           TEXT NOT NULL,
        step               INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
        total_steps        INTEGER NOT NULL CHECK (total_steps >= 1),
        it_per_sec         REAL,
        eta_seconds        REAL,
        execution_provider TEXT,
        error              TEXT,
        created_at         TEXT NOT NULL,
        started_at         TEXT,
        finished_at        TEXT
      );
      CREATE INDEX training_runs_by_concept ON training_runs (concept_id, id);
      CREATE INDEX training_runs_by_project ON training_runs (project_id, id);

      -- One row per reported step, appended as training goes (a JSON array column would be rewritten each step).
      CREATE TABLE training_losses (
        run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        losses TEXT NOT NULL CHECK (json_valid(losses) AND json_type(losses) = 'object'),
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      CREATE TABLE training_checkpoints (
        run_id            INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        step              INTEGER NOT NULL,
        -- Phone-format ONNX of this checkpoint for the live preview, built on first request.
        live_model_sha256 TEXT CHECK (live_model_sha256 IS NULL OR length(live_model_sha256) = 64),
        created_at        TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      CREATE TABLE training_previews (
        run_id        INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        step          INTEGER NOT NULL,
        position      INTEGER NOT NULL CHECK (position >= 0),
        sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
        held_out_psnr REAL,
        PRIMARY KEY (run_id, step, position)
      ) WITHOUT ROWID;
    `);
  },
};
