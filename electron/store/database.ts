import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { migrations as allMigrations, type Migration } from './migrations/index';

export type { Database };

export interface OpenDatabaseOptions {
  /** Defaults to every migration of this build; tests pass a prefix to check one step at a time. */
  migrations?: readonly Migration[];
  /** How long a writer waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
}

/**
 * The database holds the user's projects: readable by its owner only. The folder is created 0700 and the file
 * 0600 before SQLite opens it (SQLite gives the -wal and -shm files the database file's mode); an existing
 * database is tightened to 0600. (No effect on Windows, where the user profile folder already restricts access.)
 */
function createPrivateFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** The schema version this build writes. */
export const SCHEMA_VERSION = allMigrations.length;

/**
 * Opens (creating if needed) the studio database: WAL so readers never block the writer (the job worker
 * writes while the UI lists), foreign keys enforced, a busy timeout for the moments two connections write.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database {
  if (file !== ':memory:') createPrivateFile(file);
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (error) {
    throw new Error(`cannot open the studio database ${file}: ${messageOf(error)}`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable against application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    // The first statement is where SQLite notices a file that is not a database.
    db.close();
    throw new Error(`cannot open the studio database ${file}: ${messageOf(error)}`, { cause: error });
  }
  try {
    migrate(db, options.migrations ?? allMigrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies the migrations newer than the database's user_version, each in its own IMMEDIATE transaction
 * (so two processes opening a fresh database cannot both run a step). A database written by a newer build is
 * refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[]): void {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const current = userVersion(db);
  if (current > latest) {
    throw new Error(
      `database schema version ${current} is newer than this app understands (${latest}); ` +
        'update E2GAN Studio or use another data folder (E2GAN_STUDIO_HOME)',
    );
  }
  for (const migration of migrations) {
    const step = db.transaction(() => {
      // Re-read inside the lock: another process may have applied this step since we looked.
      if (userVersion(db) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      step.immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${reason}`, { cause: error });
    }
  }
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration list out of order: position ${index + 1} holds version ${migration.version} (${migration.name})`);
    }
  });
}
