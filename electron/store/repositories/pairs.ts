import type { Database } from 'better-sqlite3';
import type { PairRecord, PairStatus, PairTeacher } from '../../domain/pair-types';
import { systemClock, type Clock } from './clock';

interface PairRow {
  id: number;
  project_id: number;
  concept_id: number;
  image_id: number | null;
  name: string;
  input_sha256: string;
  target_sha256: string;
  status: PairStatus;
  reason: string | null;
  seed: number;
  teacher: string;
  in_subset: 0 | 1 | null;
  created_at: string;
  updated_at: string;
}

function toPair(row: PairRow): PairRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    conceptId: row.concept_id,
    imageId: row.image_id,
    name: row.name,
    inputSha256: row.input_sha256,
    targetSha256: row.target_sha256,
    status: row.status,
    reason: row.reason,
    seed: row.seed,
    teacher: JSON.parse(row.teacher) as PairTeacher,
    inSubset: row.in_subset === null ? null : row.in_subset === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What creating a pair takes: the record without what the store assigns (id, subset flag, timestamps). */
export type NewPair = Pick<
  PairRecord,
  'projectId' | 'conceptId' | 'imageId' | 'name' | 'inputSha256' | 'targetSha256' | 'status' | 'reason' | 'seed' | 'teacher'
>;

export class PairsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  listByConcept(conceptId: number): PairRecord[] {
    const rows = this.db.prepare(`SELECT * FROM pairs WHERE concept_id = ? ORDER BY id`).all(conceptId) as PairRow[];
    return rows.map(toPair);
  }

  get(id: number): PairRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM pairs WHERE id = ?`).get(id) as PairRow | undefined;
    return row && toPair(row);
  }

  findByImage(conceptId: number, imageId: number): PairRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM pairs WHERE concept_id = ? AND image_id = ?`).get(conceptId, imageId) as PairRow | undefined;
    return row && toPair(row);
  }

  /**
   * Inserts a pair, or for a photo that already has one in this concept replaces its target, status and seed
   * (regeneration, or a resumed generation job redoing its last item).
   */
  upsert(pair: NewPair): PairRecord {
    const now = this.clock();
    const existing = pair.imageId === null ? undefined : this.findByImage(pair.conceptId, pair.imageId);
    if (existing) {
      this.db
        .prepare(
          `UPDATE pairs SET name = ?, input_sha256 = ?, target_sha256 = ?, status = ?, reason = ?, seed = ?, teacher = ?,
             in_subset = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(pair.name, pair.inputSha256, pair.targetSha256, pair.status, pair.reason, pair.seed, JSON.stringify(pair.teacher), now, existing.id);
      return this.get(existing.id)!;
    }
    const id = this.db
      .prepare(
        `INSERT INTO pairs (project_id, concept_id, image_id, name, input_sha256, target_sha256, status, reason, seed, teacher, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        pair.projectId,
        pair.conceptId,
        pair.imageId,
        pair.name,
        pair.inputSha256,
        pair.targetSha256,
        pair.status,
        pair.reason,
        pair.seed,
        JSON.stringify(pair.teacher),
        now,
        now,
      ).lastInsertRowid;
    return this.get(Number(id))!;
  }

  setStatus(id: number, status: PairStatus, reason: string | null): boolean {
    return this.db.prepare(`UPDATE pairs SET status = ?, reason = ?, updated_at = ? WHERE id = ?`).run(status, reason, this.clock(), id).changes > 0;
  }

  /** Marks the kept pairs 1 and every other pair of the concept 0, in one transaction. */
  setSubset(conceptId: number, keptIds: readonly number[]): void {
    const mark = this.db.prepare(`UPDATE pairs SET in_subset = ? WHERE id = ?`);
    this.db.transaction(() => {
      this.db.prepare(`UPDATE pairs SET in_subset = 0 WHERE concept_id = ?`).run(conceptId);
      for (const id of keptIds) mark.run(1, id);
    })();
  }

  delete(id: number): boolean {
    return this.db.prepare(`DELETE FROM pairs WHERE id = ?`).run(id).changes > 0;
  }
}
