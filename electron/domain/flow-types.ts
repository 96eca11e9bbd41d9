/**
 * Shapes of the studio flow (issue 7): teachers, pairs, subset selection, training runs and the live model.
 * Plain data only, so every value crosses IPC, WebSocket JSON and worker messages unchanged.
 */

/** A built-in effect (works offline) or an installed diffusion model. */
export interface TeacherInfo {
  kind: 'builtin' | 'diffusion';
  /** What to store in concept.teacher: the built-in id (e.g. 'sepia-vintage') or 'diffusion:<model name>'. */
  id: string;
  name: string;
  description: string;
}

/** One built-in effect applied to one photo, for the teacher gallery. */
export interface TeacherSample {
  teacherId: string;
  /** PNG blob of the effect's output (the photo scaled down). */
  sha256: string;
}

export const PAIR_STATUSES = ['pending', 'accepted', 'rejected', 'guard-rejected'] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

/** How a pair's target was made, stored with the pair so a regeneration can vary one knob. */
export type PairTeacher =
  | { kind: 'builtin'; id: string }
  | {
      kind: 'diffusion';
      modelId: string;
      guidance: number;
      imageGuidance: number;
      steps: number;
      size: number;
      /** What the edit should avoid; absent on pairs made before it could be set (the same as ''). */
      negativePrompt?: string;
    }
  | { kind: 'imported' };

/** Pairs are stored at most this large (longest side): training runs at 256 or less, the grid shows thumbnails. */
export const PAIR_MAX_SIDE = 512;

export interface PairRecord {
  id: number;
  projectId: number;
  conceptId: number;
  /** The project image the input came from; null for imported pairs (their input is only a blob). */
  imageId: number | null;
  /** Display name (the photo's or the imported file's stem). */
  name: string;
  inputSha256: string;
  /** PNG of the teacher's output (or the imported target). */
  targetSha256: string;
  status: PairStatus;
  /** Why the pair-quality guard (or the user) rejected it; null otherwise. */
  reason: string | null;
  seed: number;
  teacher: PairTeacher;
  /** True when the last subset.select kept this pair (false: dropped; null: no selection made yet). */
  inSubset: boolean | null;
  createdAt: string;
  updatedAt: string;
}

export interface GeneratePairsPayload {
  projectId: number;
  conceptId: number;
  imageIds: number[];
  /** Photo i of the list uses seed + i (reproducible whatever else is generated with it). */
  seed: number;
  teacher: PairTeacher;
  /** The concept's edit prompt (diffusion teachers). */
  prompt: string;
  /** Absolute folder of the diffusion model (diffusion teachers). */
  modelDir?: string;
  /** Photos cancelled one by one while the job runs (pairs.cancelItem); the worker skips them. */
  skippedImageIds?: number[];
  /**
   * Remake pairs that exist already (regenerate). Without it a photo that already has a pair from the same
   * teacher settings is skipped, so generating again never undoes curation.
   */
  replace?: boolean;
}

export interface GeneratePairsResult {
  pairIds: number[];
  /** Images whose pair was rejected by the guard or failed, with the reason. */
  failed: { imageId: number; reason: string }[];
  notProcessed: number;
  /** Images cancelled one by one (pairs.cancelItem) before their pair was made. */
  cancelled: number[];
}

/** A photo of a running generate-pairs job was cancelled on its own. */
export interface PairItemCancelled {
  projectId: number;
  conceptId: number;
  jobId: number;
  imageId: number;
  /** Every photo of the job cancelled so far. */
  skippedImageIds: number[];
}

export interface ImportPairsResult {
  pairIds: number[];
  skipped: { name: string; reason: string }[];
}

export interface SubsetSelection {
  conceptId: number;
  targetCount: number;
  /** Pairs kept (nearest each k-means centroid), in centroid order. */
  keptPairIds: number[];
  droppedPairIds: number[];
  /** Which features were clustered. */
  features: 'colour-gradient-histogram';
}

export const TRAINING_PRESETS = ['fast', 'balanced', 'quality'] as const;
export type TrainingPreset = (typeof TRAINING_PRESETS)[number];
export const TRAINING_EXECUTION_PROVIDERS = ['auto', 'cpu', 'webgpu'] as const;
export type TrainingExecutionProvider = (typeof TRAINING_EXECUTION_PROVIDERS)[number];

export interface TrainingAdvanced {
  steps?: number;
  size?: number;
  rank?: number | 'auto';
  learningRate?: number;
  executionProvider?: TrainingExecutionProvider;
}

/** The resolved settings a run uses (preset defaults overridden by the advanced fields given). */
export interface TrainingSettingsSummary {
  preset: TrainingPreset;
  steps: number;
  size: number;
  rank: number | 'auto';
  learningRate: number;
  executionProvider: TrainingExecutionProvider;
  checkpointEvery: number;
  previewEvery: number;
}

export const TRAINING_STATES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];

export interface LossPoint {
  step: number;
  losses: Record<string, number>;
}

export interface TrainingPreview {
  step: number;
  /** PNG blobs of the preview grid images (held-out inputs run through the generator at that step). */
  sha256s: string[];
  /**
   * The pair each image shows (same order as sha256s): its input and teacher target give the A/B view.
   * Always filled by the back end; optional so hand-made fixtures without it still type-check.
   */
  pairIds?: (number | null)[];
  heldOutPsnr: number | null;
}

/**
 * PSNR on the run's held-out pairs of two models that need no training: the input returned unchanged, and a
 * least-squares RGB affine colour map fitted on the training pairs. A run that does not beat them has learnt
 * nothing a colour curve could not do.
 */
export interface QualityBaselines {
  identityPsnr: number;
  affinePsnr: number;
}

/** What training.plan says a new run would do, before it starts. */
export interface TrainingPlan {
  conceptId: number;
  settings: TrainingSettingsSummary;
  /** Pairs the run trains on (ascending id). */
  trainPairIds: number[];
  /** Pairs held out for the preview grid and the held-out PSNR (the highest ids among the usable ones). */
  heldOutPairIds: number[];
  /** Pairs the run does not use, with why. */
  excluded: { pairId: number; reason: string }[];
  /** Pairs used although still "to review" (pending): accept or reject them to decide. */
  unreviewedPairIds: number[];
  /**
   * Estimated wall time on this machine, from the speed of its earlier runs; null before any run measured it.
   * `scaled`: measured at another resolution and scaled by pixel count (rough: small runs carry fixed overheads).
   */
  estimate: { seconds: number; basis: string; scaled: boolean } | null;
}

export interface TrainingCheckpoint {
  step: number;
  createdAt: string;
  /** Phone-format ONNX of this checkpoint (built by the training job); null until built. */
  liveModelSha256: string | null;
}

export interface TrainingRun {
  id: number;
  projectId: number;
  conceptId: number;
  /** The job currently (or last) executing this run. */
  jobId: number | null;
  state: TrainingState;
  settings: TrainingSettingsSummary;
  /** Absolute path of the run's folder (its checkpoint files and, once done, concept.safetensors); settings are on the row. */
  runPath: string;
  step: number;
  totalSteps: number;
  lossHistory: LossPoint[];
  checkpoints: TrainingCheckpoint[];
  previews: TrainingPreview[];
  /** Reference PSNRs on the same held-out pairs; null until the trainer reports them (or for older runs). */
  baselines: QualityBaselines | null;
  itPerSec: number | null;
  etaSeconds: number | null;
  executionProvider: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TrainRunPayload {
  runId: number;
}

export interface TrainRunResult {
  runId: number;
  step: number;
  completed: boolean;
}

export interface TrainingProgress {
  runId: number;
  projectId: number;
  conceptId: number;
  step: number;
  totalSteps: number;
  losses: Record<string, number>;
  itPerSec: number | null;
  etaSeconds: number | null;
  /** The newest preview grid, if one was written since the run started. */
  previewSha256s: string[];
}

/** A phone-format (RGBA uint8 in/out) ONNX graph of a run's newest weights, for onnxruntime-web. */
export interface LiveModel {
  runId: number;
  step: number;
  /** Blob of the .onnx file: fetch it with blobUrl(sha256). */
  sha256: string;
  width: number;
  height: number;
  inputName: string;
  outputName: string;
}
