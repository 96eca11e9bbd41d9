import type { DataLayout } from '../paths';
import type { GarbageCollectionOptions, GarbageCollectionResult } from '../store/garbage-collect';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ExportsService } from './exports-service';
import type { ShareService } from './share-service';
import type { FlowService } from './flow-service';
import type { ModelsService } from './models-service';
import type { JobsService } from './jobs-service';
import type { Concept, ConceptInput, ImageRecord, Project, ServiceEvents } from '../domain/types';

/**
 * The back-end services, free of Electron: the app's main process, browser mode's server and the CLI all build
 * them with createServices({ dataDir }). Methods throw ServiceError subclasses (code 'not-found',
 * 'invalid-input', 'conflict') on bad requests; the API layer validates payload shapes before calling.
 */
export interface Services {
  readonly dataDir: string;
  readonly layout: DataLayout;
  readonly events: TypedEmitter<ServiceEvents>;
  readonly projects: ProjectsService;
  readonly concepts: ConceptsService;
  readonly images: ImagesService;
  readonly jobs: JobsService;
  readonly storage: StorageService;
  readonly exports: ExportsService;
  /** Send to phone: one share server at a time, stopped on close. */
  readonly share: ShareService;
  /** The studio flow (issue 7): teachers, pairs, subset selection, training runs, the live model. */
  readonly flow: FlowService;
  /** Installed diffusion models (the teachers list offers them): import, download, verify, remove. */
  readonly models: ModelsService;
  /** Stops running jobs at a safe point (they resume next launch as 'interrupted') and closes the database. */
  close(): Promise<void>;
}

export interface ProjectsService {
  list(): Project[];
  get(id: number): Project;
  create(name: string): Project;
  rename(id: number, name: string): Project;
  /** Refused (conflict) while one of the project's jobs is queued or running. */
  delete(id: number): void;
}

export interface ConceptsService {
  list(projectId: number): Concept[];
  create(projectId: number, input: ConceptInput): Concept;
  update(id: number, input: Partial<ConceptInput>): Concept;
  delete(id: number): void;
}

export interface ImagesService {
  list(projectId: number): ImageRecord[];
  get(id: number): ImageRecord;
  delete(id: number): void;
  /** The WebP thumbnail's bytes. */
  readThumbnail(id: number): Promise<{ bytes: Buffer; mimeType: 'image/webp' }>;
  /** The imported file's original bytes. */
  readOriginal(id: number): Promise<{ bytes: Buffer; mimeType: string }>;
  /** Absolute path of a blob (for a custom protocol handler that streams files). */
  blobPath(sha256: string): string;
}

export interface StorageService {
  /** Blobs on disk (originals, thumbnails, later checkpoints) and their total size. */
  usage(): { blobCount: number; bytes: number };
  /**
   * Deletes blobs nothing refers to any more (after deleting images or projects). Does nothing while a job is
   * queued or running; blobs newer than `minAgeMs` (default one hour) are kept.
   */
  collectGarbage(options?: GarbageCollectionOptions): GarbageCollectionResult;
}
