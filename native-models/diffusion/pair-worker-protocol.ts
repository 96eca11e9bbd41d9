import type { PairGenerationOptions, PairGenerationSummary, PairProgress, ProviderFallback } from './pair-generator';

/** The plain-data part of PairGenerationOptions (callbacks and the signal stay on the caller's side). */
export type PairJobOptions = Omit<PairGenerationOptions, 'signal' | 'onProgress' | 'onModelLoaded' | 'onFallback'>;

export interface LoadedModelInfo {
  kind: string;
  sampleDtype: string;
  executionProvider: string;
}

export type PairWorkerRequest = { type: 'start'; options: PairJobOptions } | { type: 'cancel' };

export type PairWorkerMessage =
  | { type: 'model'; info: LoadedModelInfo }
  | { type: 'progress'; progress: PairProgress }
  | { type: 'fallback'; fallback: ProviderFallback }
  | { type: 'done'; summary: PairGenerationSummary }
  | { type: 'error'; name: string; message: string };
