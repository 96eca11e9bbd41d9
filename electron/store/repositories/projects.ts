import type { Database } from 'better-sqlite3';
import type { Project } from '../../domain/types';
import { systemClock, type Clock } from './clock';

interface ProjectRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  image_count: number;
  concept_count: number;
}

const SELECT = `
  SELECT p.id, p.name, p.created_at, p.updated_at,
         (SELECT count(*) FROM images i WHERE i.project_id = p.id) AS image_count,
         (SELECT count(*) FROM concepts c WHERE c.project_id = p.id) AS concept_count
  FROM projects p`;

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    imageCount: row.image_count,
    conceptCount: row.concept_count,
  };
}

export class ProjectsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Most recently updated first. */
  list(): Project[] {
    const rows = this.db.prepare(`${SELECT} ORDER BY p.updated_at DESC, p.id DESC`).all() as ProjectRow[];
    return rows.map(toProject);
  }

  get(id: number): Project | undefined {
    const row = this.db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    return row && toProject(row);
  }

  create(name: string): Project {
    const now = this.clock();
    const info = this.db.prepare('INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)').run(name, now, now);
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Returns false when no such project exists. */
  rename(id: number, name: string): boolean {
    const info = this.db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, this.clock(), id);
    return info.changes > 0;
  }

  touch(id: number): void {
    this.db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(this.clock(), id);
  }

  /** Deletes the project with its concepts, images rows and jobs (ON DELETE CASCADE). */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
  }
}
