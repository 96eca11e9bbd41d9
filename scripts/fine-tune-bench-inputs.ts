/**
 * What every fine-tune benchmark starts from: the base (default: the shipped one), the photo corpus (default: the
 * studio data folder's corpus/, built by `npm run corpus`) and the studio preset's steps, size, rank and learning
 * rate, each overridable by a flag. One place, so the benches measure the same button the artist presses.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findShippedBase } from '../native-models/e2gan/shipped-base';
import { resolveDataDir } from '../electron/paths';
import { resolveTrainingSettings } from '../electron/services/training-presets';
import type { TrainingPreset } from '../electron/domain/training-types';

export interface FineTuneBenchFlags {
  base?: string;
  corpus?: string;
  preset?: string;
  steps?: string;
  size?: string;
  lr?: string;
  rank?: string;
}

export interface FineTuneBenchInputs {
  basePath: string;
  corpus: string;
  steps: number;
  size: number;
  learningRate: number;
  rank: number;
}

export function resolveFineTuneBench(flags: FineTuneBenchFlags): FineTuneBenchInputs {
  const basePath = flags.base ?? findShippedBase()?.weights;
  if (!basePath) throw new Error('no base model: pass --base PATH (no shipped base in resources/base-model)');
  const corpus = flags.corpus ?? join(resolveDataDir(), 'corpus');
  if (!existsSync(join(corpus, 'photos')) || !existsSync(join(corpus, 'eval'))) {
    throw new Error(`${corpus}: no photo corpus there (photos/ and eval/); build it with: npm run corpus -- --out ${corpus}`);
  }
  const preset = resolveTrainingSettings((flags.preset ?? 'fast') as TrainingPreset);
  return {
    basePath,
    corpus,
    steps: Number(flags.steps ?? preset.steps),
    size: Number(flags.size ?? preset.size),
    learningRate: Number(flags.lr ?? preset.learningRate),
    rank: Number(flags.rank ?? (preset.rank === 'auto' ? 8 : preset.rank)),
  };
}
