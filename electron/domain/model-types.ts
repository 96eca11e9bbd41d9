/** Installed diffusion models (the teachers that make pairs) and their download job: plain data shared by the store, jobs, services and the API. */

/** Which pipelines make pairs: InstructPix2Pix edits by instruction, plain img2img repaints toward the prompt. */
export type DiffusionModelKind = 'instruct-pix2pix' | 'img2img';

export interface DiffusionModelInfo {
  name: string;
  kind: DiffusionModelKind;
  pipelineClass: string | null;
  sizeBytes: number;
  /** Where it came from: a Hub repo id or a local folder; null for folders copied in by hand. */
  source: string | null;
  /** Why the folder cannot be loaded (names the file); null when its layout is complete. */
  problem: string | null;
}

export interface ModelVerification {
  name: string;
  /** Files missing or whose sha256 differs from the install manifest; empty when intact. */
  problems: string[];
}

export interface DownloadModelPayload {
  repoId: string;
  modelsDir: string;
  /** Hub base URL (tests point it at a local server); unset: E2GAN_HF_ENDPOINT / HF_ENDPOINT, then huggingface.co. */
  baseUrl?: string;
  revision?: string;
  name?: string;
  /** The Hugging Face cache to reuse files from before downloading (HF_HUB_CACHE / HF_HOME / ~/.cache). */
  hfCacheDir?: string;
}

export interface DownloadModelResult {
  /** The installed model's name; null when the download was cancelled (its partial files are kept to resume). */
  name: string | null;
  sizeBytes: number;
  /** Bytes taken from the Hugging Face cache instead of downloaded (absent in results of older jobs). */
  reusedBytes?: number;
}
