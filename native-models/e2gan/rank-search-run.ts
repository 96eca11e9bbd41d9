import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ComputeClient } from '../runtime';
import { generatorPreset } from './config';
import { searchRanks, type RankSearchReport, type Ranks } from './rank-search';
import { resolveRunModels, trainRun, TrainSettingsError, type TrainSettings } from './trainer';

export interface RankSearchRunOptions {
  /** Scratch folder for the short fine-tunes (each trial gets a subfolder, removed after scoring). */
  readonly workDir: string;
  readonly startRank: number;
  /** Steps of each short fine-tune. */
  readonly trialSteps: number;
  readonly tolerance?: number;
  readonly granularity?: 'group' | 'layer';
  readonly compute?: ComputeClient;
  readonly onTrial?: (label: string, ranks: Ranks, validationL1: number) => void;
}

/**
 * Rank search over real short LoRA fine-tunes of `settings` (same data, base and seed): the validation loss
 * of a trial is the held-out L1 of its EMA generator (the training L1 of the last steps when nothing is held
 * out). Returns the searchRanks report.
 */
export async function runRankSearch(settings: TrainSettings, options: RankSearchRunOptions): Promise<RankSearchReport> {
  if (settings.mode !== 'lora') throw new TrainSettingsError(`rank search tunes LoRA ranks; mode is '${settings.mode}'`);
  const config = (await resolveRunModels({ ...settings, ranks: 1 })).generatorConfig;
  const compute = options.compute ?? ComputeClient.start();
  let trial = 0;
  try {
    return await searchRanks(config, async (ranks, label) => {
      const runPath = join(options.workDir, `trial-${String(trial++).padStart(3, '0')}`);
      const trialSettings: TrainSettings = { ...settings, ranks, steps: options.trialSteps, checkpointEvery: options.trialSteps, previewEvery: options.trialSteps };
      const result = await trainRun(runPath, trialSettings, { compute, previews: false });
      await rm(runPath, { recursive: true, force: true });
      const tail = result.lossHistory.slice(-Math.max(1, Math.floor(options.trialSteps / 4)));
      const loss = Number.isFinite(result.heldOutL1) ? result.heldOutL1 : tail.reduce((s, r) => s + r.losses.l1!, 0) / tail.length;
      options.onTrial?.(label, ranks, loss);
      return loss;
    }, {
      startRank: options.startRank,
      ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
      ...(options.granularity !== undefined ? { granularity: options.granularity } : {}),
    });
  } finally {
    if (!options.compute) await compute.terminate();
  }
}
