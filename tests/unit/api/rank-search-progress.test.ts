import { describe, expect, it } from 'vitest';
import { formatRankSearchProgress, maxRankSearchTrials, parseRankSearchProgress } from '../../../electron/domain/rank-search-progress';

describe('rank search progress lines', () => {
  it('bounds the trials: the reference plus one halving per power of two down to 0, per unit', () => {
    expect(maxRankSearchTrials(8, 6)).toBe(25);
    expect(maxRankSearchTrials(1, 3)).toBe(4);
    expect(maxRankSearchTrials(16, 1)).toBe(6);
  });

  it('reads back what the job wrote, and nothing else', () => {
    expect(formatRankSearchProgress({ done: 0, maxTrials: 25 })).toBe('rank search trial 0 of at most 25: starting');
    const line = formatRankSearchProgress({ done: 3, maxTrials: 25, label: 'down-stage=4', validationL1: 0.123456 });
    expect(line).toBe('rank search trial 3 of at most 25 (down-stage=4): validation L1 0.1235');
    expect(parseRankSearchProgress(line)).toEqual({ done: 3, maxTrials: 25, label: 'down-stage=4', validationL1: 0.1235 });
    expect(parseRankSearchProgress('rank search trial 0 of at most 25: starting')).toEqual({ done: 0, maxTrials: 25 });
    expect(parseRankSearchProgress('step 3 of 10')).toBeNull();
    expect(parseRankSearchProgress(null)).toBeNull();
  });
});
