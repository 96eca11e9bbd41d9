import { ComputeClient } from '../runtime';
import { loadPairsDir } from './pairs-dir';
import { searchRanks, type RankSearchReport, type Ranks } from './rank-search';
import { fineTune, resolveRunModels, TrainSettingsError, type FineTuneSettings, type NamedPair, type TrainSettings } from './trainer';

export interface RankSearchRunOptions {
  readonly startRank: number;
  /** Steps of each short fine-tune. */
  readonly trialSteps: number;
  readonly tolerance?: number;
  readonly granularity?: 'group' | 'layer';
  readonly compute?: ComputeClient;
  readonly onTrial?: (label: string, ranks: Ranks, validationL1: number) => void;
}

/**
 * Rank search over real short LoRA fine-tunes of `settings` on `pairs` (same data, base and seed), in memory:
 * no trial writes a folder. The validation loss of a trial is the held-out L1 of its EMA generator (the training
 * L1 of the last steps when nothing is held out). Returns the searchRanks report.
 */
export async function searchRanksOnPairs(pairs: readonly NamedPair[], settings: FineTuneSettings, options: RankSearchRunOptions): Promise<RankSearchReport> {
  if (settings.mode !== 'lora') throw new TrainSettingsError(`rank search tunes LoRA ranks; mode is '${settings.mode}'`);
  const config = (await resolveRunModels({ ...settings, ranks: 1 })).generatorConfig;
  const compute = options.compute ?? ComputeClient.start();
  try {
    return await searchRanks(
      config,
      async (ranks, label) => {
        const trialSettings: FineTuneSettings = {
          ...settings,
          ranks,
          steps: options.trialSteps,
          checkpointEvery: options.trialSteps,
          previewEvery: options.trialSteps,
        };
        const result = await fineTune({ pairs, settings: trialSettings, compute, previews: false });
        const tail = result.lossHistory.slice(-Math.max(1, Math.floor(options.trialSteps / 4)));
        const loss = Number.isFinite(result.heldOutL1) ? result.heldOutL1 : tail.reduce((s, r) => s + r.losses.l1!, 0) / tail.length;
        options.onTrial?.(label, ranks, loss);
        return loss;
      },
      {
        startRank: options.startRank,
        ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
        ...(options.granularity !== undefined ? { granularity: options.granularity } : {}),
      },
    );
  } finally {
    if (!options.compute) await compute.terminate();
  }
}

/** searchRanksOnPairs on the pairs folder named by `settings.pairs` (read once), for the CLI and the studio's job. */
export async function runRankSearch(settings: TrainSettings, options: RankSearchRunOptions): Promise<RankSearchReport> {
  if (settings.mode !== 'lora') throw new TrainSettingsError(`rank search tunes LoRA ranks; mode is '${settings.mode}'`);
  const loaded = await loadPairsDir(settings.pairs, { size: settings.size });
  if (loaded.pairs.length === 0) throw new TrainSettingsError(`${settings.pairs}: no usable pairs (${loaded.problems.length} problems)`);
  return searchRanksOnPairs(loaded.pairs, settings, options);
}
