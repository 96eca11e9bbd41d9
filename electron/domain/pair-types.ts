/**
 * Training pairs (a photo and the teacher's edit of it), their generation, import and curation, and the
 * representative subset chosen from them. Plain data only, so every value crosses IPC, WebSocket JSON and
 * worker messages unchanged.
 */

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
