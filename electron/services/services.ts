import type { DataLayout } from '../paths';
import type { GarbageCollectionOptions, GarbageCollectionResult } from '../store/garbage-collect';
import type { TypedEmitter } from './typed-emitter';
import type { ExportsService } from './exports-service';
import type { ShareService } from './share-service';
import type { FlowService } from './flow-service';
import type { ModelsService } from './models-service';
import type { Concept, ConceptInput, ImageRecord, ImportFile, Job, JobKind, JobKinds, JobState, Project, ServiceEvents } from './types';

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

export interface JobsService {
  list(filter?: { projectId?: number; states?: JobState[]; limit?: number }): Job[];
  get(id: number): Job;
  /** Queues an import of files and folders (recursive) into a project and returns the queued job. */
  startImport(projectId: number, files: ImportFile[]): Job<'import-images'>;
  /**
   * Queues a job of any kind (later features: generate pairs, train, export). Kind-specific start methods like
   * startImport check their payload first; prefer them where they exist.
   */
  enqueue<K extends JobKind>(kind: K, projectId: number | null, payload: JobKinds[K]['payload']): Job<K>;
  /**
   * Queued: cancelled at once. Running (here or in another process, e.g. the CLI): stops after the current step
   * and ends 'cancelled' with a partial result; the returned job may still say 'running' until then, watch
   * jobChanged. Interrupted: discarded.
   */
  cancel(id: number): Job;
  /** Re-queues an interrupted or failed job; it continues from its persisted progress. */
  resume(id: number): Job;
  /** Gives up an interrupted job ('cancelled'); work finished before the interruption is kept. */
  discard(id: number): Job;
  /** Resolves once the job is done, failed, cancelled or interrupted. */
  waitFor(id: number): Promise<Job>;
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
