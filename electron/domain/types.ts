import type { DownloadModelPayload, DownloadModelResult } from './model-types';
import type { ExportBundlePayload, ExportBundleResult, ShareState } from './export-types';
import type { GeneratePairsPayload, GeneratePairsResult, PairItemCancelled } from './pair-types';
import type { TrainingProgress, TrainRunPayload, TrainRunResult } from './training-types';

/**
 * The back-end services' public shapes. Plain data only (numbers, strings, arrays, plain objects), so every
 * value crosses Electron IPC, WebSocket JSON and worker messages unchanged. Timestamps are ISO-8601 UTC strings.
 */

export interface Project {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  imageCount: number;
  conceptCount: number;
}

export interface Concept {
  id: number;
  projectId: number;
  name: string;
  /** The edit instruction given to the teacher, e.g. "make it a watercolor painting". */
  prompt: string;
  /** Which teacher produces target images for this concept (teacher id; '' until chosen). */
  teacher: string;
  createdAt: string;
  updatedAt: string;
}

export interface ConceptInput {
  name: string;
  prompt?: string;
  teacher?: string;
}

/** Image formats an import accepts (sharp's format names). */
export const IMPORTABLE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;
export type ImageFormat = (typeof IMPORTABLE_FORMATS)[number];

export interface ImageRecord {
  id: number;
  projectId: number;
  /** Content address of the original bytes in the blob store. */
  sha256: string;
  originalName: string;
  format: ImageFormat;
  /** Displayed size, after EXIF orientation. */
  width: number;
  height: number;
  bytes: number;
  /** Content address of the WebP thumbnail (longest side at most THUMBNAIL_SIZE). */
  thumbnailSha256: string;
  importedAt: string;
}

export const THUMBNAIL_SIZE = 256;

// ---- jobs ----

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A state no job leaves on its own; only resume (interrupted) moves one on. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

/** A job in one of these states will not change again until a user acts on it (jobFinished is emitted). */
export const STOPPED_JOB_STATES: readonly JobState[] = [...FINISHED_JOB_STATES, 'interrupted'];

export interface ImportFile {
  /** Absolute path of a file or folder (folders are imported recursively). */
  path: string;
  /** Name shown to the user instead of the path's base name (browser uploads are staged under temp names). */
  name?: string;
}

export interface ImportImagesPayload {
  projectId: number;
  files: ImportFile[];
}

export interface ImportImagesResult {
  imported: { imageId: number; name: string }[];
  /** Files whose bytes are already in the project (same sha256). */
  duplicates: { name: string; path: string; existingImageId: number }[];
  /** Files that are not images, corrupt, unreadable or unsupported, with the reason. */
  skipped: { name: string; path: string; reason: string }[];
  /** Files not reached because the job was cancelled. */
  notProcessed: number;
}

/**
 * Every job kind with its payload and result. A new kind adds an entry here and a handler in
 * electron/jobs/kinds/.
 */
export interface JobKinds {
  'import-images': { payload: ImportImagesPayload; result: ImportImagesResult };
  'export-bundle': { payload: ExportBundlePayload; result: ExportBundleResult };
  'generate-pairs': { payload: GeneratePairsPayload; result: GeneratePairsResult };
  'train-run': { payload: TrainRunPayload; result: TrainRunResult };
  'download-model': { payload: DownloadModelPayload; result: DownloadModelResult };
}
export type JobKind = keyof JobKinds;

/**
 * A job of kind K. With the default, `Job` is the union over all kinds, so checking `job.kind` narrows
 * `payload` and `result` to that kind's types.
 */
export type Job<K extends JobKind = JobKind> = K extends JobKind ? JobOf<K> : never;

export interface JobOf<K extends JobKind> {
  id: number;
  kind: K;
  projectId: number | null;
  state: JobState;
  /** 0..1 */
  progress: number;
  /** Human-readable status of the current step, e.g. "3 of 10: cat.png". */
  message: string | null;
  payload: JobKinds[K]['payload'];
  /** Set when done or cancelled (partial result). */
  result: JobKinds[K]['result'] | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobProgress {
  jobId: number;
  projectId: number | null;
  progress: number;
  message: string | null;
}

// ---- events ----

/** Events the services emit; the API forwards each `x` as its `onX` event (api/handlers.ts). */
export interface ServiceEvents {
  /** A project was created, renamed or deleted, or its counts changed. */
  projectsChanged: { projectId: number };
  conceptsChanged: { projectId: number };
  imagesChanged: { projectId: number };
  /** Any change of a job's state (queued, running, done, ...). */
  jobChanged: { job: Job };
  /** A job stopped: done, failed, cancelled or interrupted (right after its jobChanged). */
  jobFinished: { job: Job };
  jobProgress: JobProgress;
  /** An export was added (its job finished) or deleted. */
  exportsChanged: { projectId: number };
  /** The send-to-phone server started, stopped or expired. */
  shareChanged: ShareState;
  /** A concept's pairs were added or changed, or a subset was selected. */
  pairsChanged: { projectId: number; conceptId: number };
  /** One photo of a running generate-pairs job was cancelled (pairs.cancelItem). */
  pairItemCancelled: PairItemCancelled;
  /** A diffusion model was installed (import or finished download) or removed. */
  modelsChanged: { modelsDir: string };
  /** A training step was recorded (throttled by the job runner's progress interval). */
  trainingProgress: TrainingProgress;
  /** A training run was created, changed state, or got a checkpoint or preview. */
  trainingChanged: { projectId: number; conceptId: number; runId: number };
}
