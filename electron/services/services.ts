import type { DataLayout } from '../paths';
import type { GarbageCollectionOptions, GarbageCollectionResult } from '../store/garbage-collect';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ExportsService } from './exports-service';
import type { ShareService } from './share-service';
import type { FlowService } from './flow-service';
import type { ModelsService } from './models-service';
import type { JobsService } from './jobs-service';
import type { Concept, ConceptInput, ImageRecord, ImportFile, Job, Project, ServiceEvents } from '../domain/types';

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
  readonly imports: ImportsService;
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

/**
 * The service groups the API serves as they are (api/handlers.ts is a plain map): every method takes at most one
 * plain object, named like the contract's input (api/contract.ts), and the contract's schemas check it first.
 */
export interface ProjectsService {
  list(): Project[];
  get(input: { projectId: number }): Project;
  create(input: { name: string }): Project;
  rename(input: { projectId: number; name: string }): Project;
  /** Refused (conflict) while one of the project's jobs is queued or running. */
  delete(input: { projectId: number }): void;
}

export interface ConceptsService {
  list(input: { projectId: number }): Concept[];
  create(input: { projectId: number } & ConceptInput): Concept;
  /** Changes only the fields given. */
  update(input: { conceptId: number } & Partial<ConceptInput>): Concept;
  delete(input: { conceptId: number }): void;
}

export interface ImagesService {
  list(input: { projectId: number }): ImageRecord[];
  get(input: { imageId: number }): ImageRecord;
  delete(input: { imageId: number }): void;
  /** The WebP thumbnail's bytes. */
  readThumbnail(input: { imageId: number }): Promise<{ bytes: Buffer; mimeType: 'image/webp' }>;
  /** The imported file's original bytes. */
  readOriginal(input: { imageId: number }): Promise<{ bytes: Buffer; mimeType: string }>;
  /** Absolute path of a blob (for a custom protocol handler that streams files). */
  blobPath(sha256: string): string;
}

export interface ImportsService {
  /** Queues an import of files and folders (recursive) into a project and returns the queued job. */
  start(input: { projectId: number; sources: ImportFile[] }): Job<'import-images'>;
  /** Queues an import of the photos shipped with the app (resources/samples). */
  samples(input: { projectId: number }): Promise<Job<'import-images'>>;
}

export interface StorageService {
  /** Blobs on disk (originals, thumbnails, pair images, training previews, live models) and their total size. */
  usage(): { blobCount: number; bytes: number };
  /**
   * Deletes blobs nothing refers to any more (after deleting images or projects). Does nothing while a job is
   * queued or running; blobs newer than `minAgeMs` (default one hour) are kept.
   */
  collectGarbage(options?: GarbageCollectionOptions): GarbageCollectionResult;
}
