/**
 * Training runs: presets and settings, the plan, progress, checkpoints, and the live model built from them.
 * Plain data only, so every value crosses IPC, WebSocket JSON and worker messages unchanged.
 */

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
