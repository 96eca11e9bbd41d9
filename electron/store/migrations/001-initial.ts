import type { Migration } from './migration';

/** Projects, their concepts (edit prompts) and imported photos. */
export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE projects (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE concepts (
        id          INTEGER PRIMARY KEY,
        project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
        prompt      TEXT NOT NULL DEFAULT '',
        teacher     TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (project_id, name)
      );

      -- The bytes live in the content-addressed blob store; a row only points at them, so two projects
      -- importing the same photo share one blob.
      CREATE TABLE images (
        id                INTEGER PRIMARY KEY,
        project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        sha256            TEXT NOT NULL CHECK (length(sha256) = 64),
        original_name     TEXT NOT NULL,
        format            TEXT NOT NULL,
        width             INTEGER NOT NULL CHECK (width > 0),
        height            INTEGER NOT NULL CHECK (height > 0),
        bytes             INTEGER NOT NULL CHECK (bytes > 0),
        thumbnail_sha256  TEXT NOT NULL CHECK (length(thumbnail_sha256) = 64),
        imported_at       TEXT NOT NULL,
        UNIQUE (project_id, sha256)
      );
      CREATE INDEX images_by_project ON images (project_id, id);
    `);
  },
};
