import type { Migration } from './migration';

/**
 * Mobile bundles exported from the studio. The zip lives in the data folder (exports/<job id>/); the manifest is
 * copied here so lists and the phone-readiness card need no unzip. A row is written in the same step that
 * finishes the export job, so a crash mid-export leaves no row pointing at a half-written zip.
 */
export const migration004Exports: Migration = {
  version: 4,
  name: 'exports',
  up(db) {
    db.exec(`
      CREATE TABLE exports (
        id          INTEGER PRIMARY KEY,
        project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        -- The concept may be deleted later; its exported bundles stay downloadable.
        concept_id  INTEGER REFERENCES concepts(id) ON DELETE SET NULL,
        job_id      INTEGER UNIQUE REFERENCES jobs(id) ON DELETE SET NULL,
        -- The training run exported: a run folder today, a training-run row once the studio trains (issue 7).
        run_path    TEXT NOT NULL,
        -- Relative to the data folder, so a moved data folder keeps working.
        zip_path    TEXT NOT NULL,
        precisions  TEXT NOT NULL CHECK (json_valid(precisions) AND json_type(precisions) = 'array'),
        manifest    TEXT NOT NULL CHECK (json_valid(manifest) AND json_type(manifest) = 'object'),
        warnings    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
        zip_bytes   INTEGER NOT NULL CHECK (zip_bytes >= 0),
        created_at  TEXT NOT NULL
      );
      CREATE INDEX exports_by_project ON exports (project_id, id);
      CREATE INDEX exports_by_concept ON exports (concept_id, id);
    `);
  },
};
