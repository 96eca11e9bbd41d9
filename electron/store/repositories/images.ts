import type { Database } from 'better-sqlite3';
import type { ImageFormat, ImageRecord } from '../../domain/types';
import { systemClock, type Clock } from './clock';

interface ImageRow {
  id: number;
  project_id: number;
  sha256: string;
  original_name: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  thumbnail_sha256: string;
  imported_at: string;
}

function toImage(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    sha256: row.sha256,
    originalName: row.original_name,
    format: row.format as ImageFormat,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    thumbnailSha256: row.thumbnail_sha256,
    importedAt: row.imported_at,
  };
}

export type NewImage = Omit<ImageRecord, 'id' | 'importedAt'>;

export class ImagesRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {}

  /** In import order. */
  listByProject(projectId: number): ImageRecord[] {
    const rows = this.db.prepare('SELECT * FROM images WHERE project_id = ? ORDER BY id').all(projectId) as ImageRow[];
    return rows.map(toImage);
  }

  get(id: number): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row && toImage(row);
  }

  findBySha(projectId: number, sha256: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE project_id = ? AND sha256 = ?').get(projectId, sha256) as ImageRow | undefined;
    return row && toImage(row);
  }

  insert(image: NewImage): ImageRecord {
    const info = this.db
      .prepare(
        `INSERT INTO images (project_id, sha256, original_name, format, width, height, bytes, thumbnail_sha256, imported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(image.projectId, image.sha256, image.originalName, image.format, image.width, image.height, image.bytes, image.thumbnailSha256, this.clock());
    return this.get(Number(info.lastInsertRowid))!;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM images WHERE id = ?').run(id).changes > 0;
  }
}
