import type { Database } from 'better-sqlite3';
import type { Concept } from '../../domain/types';
import { systemClock, type Clock } from './clock';

interface ConceptRow {
  id: number;
  project_id: number;
  name: string;
  prompt: string;
  teacher: string;
  created_at: string;
  updated_at: string;
}

function toConcept(row: ConceptRow): Concept {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    prompt: row.prompt,
    teacher: row.teacher,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ConceptFields {
  name: string;
  prompt: string;
  teacher: string;
}

export class ConceptsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  listByProject(projectId: number): Concept[] {
    const rows = this.db.prepare('SELECT * FROM concepts WHERE project_id = ? ORDER BY id').all(projectId) as ConceptRow[];
    return rows.map(toConcept);
  }

  get(id: number): Concept | undefined {
    const row = this.db.prepare('SELECT * FROM concepts WHERE id = ?').get(id) as ConceptRow | undefined;
    return row && toConcept(row);
  }

  findByName(projectId: number, name: string): Concept | undefined {
    const row = this.db.prepare('SELECT * FROM concepts WHERE project_id = ? AND name = ?').get(projectId, name) as ConceptRow | undefined;
    return row && toConcept(row);
  }

  create(projectId: number, fields: ConceptFields): Concept {
    const now = this.clock();
    const info = this.db
      .prepare(
        `INSERT INTO concepts (project_id, name, prompt, teacher, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(projectId, fields.name, fields.prompt, fields.teacher, now, now);
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(id: number, fields: ConceptFields): boolean {
    const info = this.db
      .prepare('UPDATE concepts SET name = ?, prompt = ?, teacher = ?, updated_at = ? WHERE id = ?')
      .run(fields.name, fields.prompt, fields.teacher, this.clock(), id);
    return info.changes > 0;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM concepts WHERE id = ?').run(id).changes > 0;
  }
}
