import type { PairRecord } from './pair-types';
import type { TrainingPlan } from './training-types';

/** Pairs a run trains on: not rejected, and kept by the last subset selection when there was one. */
export function isTrainingPair(pair: PairRecord): boolean {
  return (pair.status === 'pending' || pair.status === 'accepted') && pair.inSubset !== false;
}

/** Photos held out for the preview grid and the held-out PSNR: only when enough remain to train on. */
export function heldOutCountFor(trainingPairs: number): number {
  return trainingPairs >= 6 ? 2 : trainingPairs >= 3 ? 1 : 0;
}

/**
 * Exactly which pairs a new run would use, before it starts. The job hands the trainer the pairs in ascending
 * id order and the trainer holds out the last ones of that list, so the split here is the split the run makes:
 * the highest ids are held out.
 */
export function planTrainingPairs(pairs: readonly PairRecord[]): Pick<TrainingPlan, 'trainPairIds' | 'heldOutPairIds' | 'excluded' | 'unreviewedPairIds'> {
  const used = pairs.filter(isTrainingPair).sort((a, b) => a.id - b.id);
  const heldOut = heldOutCountFor(used.length);
  const excluded = pairs
    .filter((pair) => !isTrainingPair(pair))
    .map((pair) => ({
      pairId: pair.id,
      reason:
        pair.status === 'rejected' ? 'rejected' : pair.status === 'guard-rejected' ? 'rejected by the quality guard' : 'left out by the representative subset',
    }));
  return {
    trainPairIds: used.slice(0, used.length - heldOut).map((pair) => pair.id),
    heldOutPairIds: used.slice(used.length - heldOut).map((pair) => pair.id),
    excluded,
    unreviewedPairIds: used.filter((pair) => pair.status === 'pending').map((pair) => pair.id),
  };
}
