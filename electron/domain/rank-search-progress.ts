/**
 * The progress line a training job reports during a rank search, and its reading in the UI: one module owns the
 * wording, so the renderer can show "trial 3 of at most 25" as steps without guessing at the job's messages.
 * Pure: imported by the job (worker) and by the renderer.
 */
export interface RankSearchProgress {
  /** Short fine-tunes finished so far. */
  done: number;
  /** An upper bound: the search stops a unit's halving at its first rejected rank, often well before this. */
  maxTrials: number;
  /** The trial just finished: 'reference' or '<unit>=<rank>'. */
  label?: string;
  validationL1?: number;
}

const PATTERN = /^rank search trial (\d+) of at most (\d+)(?: \(([^)]*)\): validation L1 (\S+))?/;

/**
 * Trials the greedy search can run: the reference, then per unit one halving per power of two down to rank 0
 * (8 -> 4 -> 2 -> 1 -> 0 is four trials).
 */
export function maxRankSearchTrials(startRank: number, unitCount: number): number {
  return 1 + unitCount * (Math.floor(Math.log2(startRank)) + 1);
}

export function formatRankSearchProgress(progress: RankSearchProgress): string {
  const head = `rank search trial ${progress.done} of at most ${progress.maxTrials}`;
  if (progress.label === undefined || progress.validationL1 === undefined) return `${head}: starting`;
  return `${head} (${progress.label}): validation L1 ${progress.validationL1.toFixed(4)}`;
}

/** The progress a rank-search message describes, or null for any other message. */
export function parseRankSearchProgress(message: string | null | undefined): RankSearchProgress | null {
  const match = message ? PATTERN.exec(message) : null;
  if (!match) return null;
  const progress: RankSearchProgress = { done: Number(match[1]), maxTrials: Number(match[2]) };
  if (match[3] !== undefined && match[4] !== undefined) {
    progress.label = match[3];
    progress.validationL1 = Number(match[4]);
  }
  return progress;
}
