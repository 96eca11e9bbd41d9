import type { PairRecord } from './flow-types';

/** Pairs a run trains on: not rejected, and kept by the last subset selection when there was one. */
export function isTrainingPair(pair: PairRecord): boolean {
  return (pair.status === 'pending' || pair.status === 'accepted') && pair.inSubset !== false;
}
