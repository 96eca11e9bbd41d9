import { LORA_GROUPS, loraEligibleLayers, loraParameterCount, loraPlacement, type GeneratorConfig, type LayerGroup } from './config';

/**
 * E2GAN-style automatic LoRA rank selection. Start from a generous rank everywhere, measure validation loss
 * after a short fine-tune, then walk the units (layer groups by default, or single layers) one at a time and
 * halve that unit's rank while a short fine-tune's validation loss stays within `tolerance` of the reference.
 * Greedy and coordinate-wise: cost is about units x log2(startRank) short fine-tunes.
 */
export type Ranks = Record<string, number>;

export interface RankSearchOptions {
  readonly startRank: number;
  /** Accept a smaller rank while loss <= reference * (1 + tolerance). Default 0.05. */
  readonly tolerance?: number;
  /** Search per paper layer group (default, fewer fine-tunes) or per individual layer. */
  readonly granularity?: 'group' | 'layer';
  /** Lowest rank tried (default 0 = the unit may lose its LoRA entirely). */
  readonly minRank?: number;
}

export interface RankTrial {
  readonly unit: string;
  readonly ranks: Ranks;
  readonly loraParameters: number;
  readonly validationLoss: number;
  readonly accepted: boolean;
}

export interface RankSearchReport {
  readonly ranks: Ranks;
  readonly loraParameters: number;
  readonly referenceLoss: number;
  readonly finalLoss: number;
  readonly startParameters: number;
  readonly tolerance: number;
  readonly trials: readonly RankTrial[];
}

/** Runs a short fine-tune with these per-layer ranks and returns its validation loss (lower is better). */
export type EvaluateRanks = (ranks: Ranks, label: string) => Promise<number>;

export async function searchRanks(config: GeneratorConfig, evaluate: EvaluateRanks, options: RankSearchOptions): Promise<RankSearchReport> {
  const tolerance = options.tolerance ?? 0.05;
  const minRank = options.minRank ?? 0;
  if (!Number.isInteger(options.startRank) || options.startRank < 1)
    throw new Error(`rank search: startRank must be a positive integer, got ${options.startRank}`);
  if (!(tolerance >= 0)) throw new Error(`rank search: tolerance must be >= 0, got ${tolerance}`);
  const layers = loraEligibleLayers(config);
  const units: Array<{ name: string; layers: string[] }> =
    (options.granularity ?? 'group') === 'group'
      ? LORA_GROUPS.map((group: LayerGroup) => ({ name: group, layers: layers.filter((l) => l.group === group).map((l) => l.name) })).filter(
          (u) => u.layers.length > 0,
        )
      : layers.map((l) => ({ name: l.name, layers: [l.name] }));

  const ranks: Ranks = Object.fromEntries(layers.map((l) => [l.name, options.startRank]));
  const count = (r: Ranks): number => loraParameterCount(config, loraPlacement(config, r));
  const trials: RankTrial[] = [];
  const referenceLoss = await evaluate({ ...ranks }, 'reference');
  if (!Number.isFinite(referenceLoss)) throw new Error(`rank search: the reference fine-tune gave a non-finite validation loss (${referenceLoss})`);
  trials.push({ unit: 'reference', ranks: { ...ranks }, loraParameters: count(ranks), validationLoss: referenceLoss, accepted: true });
  const budget = referenceLoss * (1 + tolerance);
  let currentLoss = referenceLoss;

  for (const unit of units) {
    let rank = options.startRank;
    while (rank > minRank) {
      const next = rank === 1 ? 0 : Math.max(minRank, Math.floor(rank / 2));
      if (next === rank) break;
      const candidate: Ranks = { ...ranks };
      for (const layer of unit.layers) candidate[layer] = next;
      const loss = await evaluate(candidate, `${unit.name}=${next}`);
      const accepted = Number.isFinite(loss) && loss <= budget;
      trials.push({ unit: unit.name, ranks: candidate, loraParameters: count(candidate), validationLoss: loss, accepted });
      if (!accepted) break;
      Object.assign(ranks, candidate);
      currentLoss = loss;
      rank = next;
    }
  }
  return { ranks, loraParameters: count(ranks), referenceLoss, finalLoss: currentLoss, startParameters: trials[0]!.loraParameters, tolerance, trials };
}

/** A short human-readable report: chosen ranks per layer and the quality/size trade-off of every trial. */
export function formatRankReport(report: RankSearchReport): string {
  const lines = [
    `LoRA rank search: ${report.startParameters} -> ${report.loraParameters} parameters, validation loss ${report.referenceLoss.toFixed(5)} -> ${report.finalLoss.toFixed(5)} (tolerance ${(report.tolerance * 100).toFixed(1)}%)`,
    'Chosen ranks:',
    ...Object.entries(report.ranks).map(([layer, rank]) => `  ${layer.padEnd(44)} ${rank}`),
    'Trials (unit, LoRA parameters, validation loss, accepted):',
    ...report.trials.map((t) => `  ${t.unit.padEnd(44)} ${String(t.loraParameters).padStart(8)}  ${t.validationLoss.toFixed(5)}  ${t.accepted ? 'yes' : 'no'}`),
  ];
  return lines.join('\n');
}
