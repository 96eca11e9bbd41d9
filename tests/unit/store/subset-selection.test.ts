import { describe, expect, it } from 'vitest';
import { selectRepresentatives } from '../../../electron/services/subset-selection';

/** Points around well-separated centres: k-means with k = number of centres must keep one from each. */
function clusters(centres: number[][], perCluster: number): Float32Array[] {
  const points: Float32Array[] = [];
  centres.forEach((centre, c) => {
    for (let i = 0; i < perCluster; i++) points.push(Float32Array.from(centre, (v, d) => v + 0.01 * ((i * 7 + d * 3 + c) % 5)));
  });
  return points;
}

describe('selectRepresentatives (k-means data reduction)', () => {
  it('keeps one item from each well-separated cluster, the one nearest its centroid', () => {
    const points = clusters(
      [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
      5,
    );
    // The middle offset of each cluster is the nearest to its mean; put an obvious centre item in cluster 2.
    points[12] = Float32Array.from([0.02, 10.02]);
    const kept = selectRepresentatives(points, 3, 1);
    expect(kept).toHaveLength(3);
    expect(new Set(kept.map((i) => Math.floor(i / 5)))).toEqual(new Set([0, 1, 2]));
    expect(kept).toContain(12);
  });

  it('is deterministic for a seed and keeps everything when the target is not smaller', () => {
    const points = clusters(
      [
        [0, 0, 0],
        [1, 1, 1],
        [5, 0, 2],
        [3, 3, 3],
      ],
      4,
    );
    expect(selectRepresentatives(points, 3, 7)).toEqual(selectRepresentatives(points, 3, 7));
    expect(selectRepresentatives(points, 16, 7)).toEqual([...Array(16).keys()]);
    expect(new Set(selectRepresentatives(points, 4, 2)).size).toBe(4);
  });

  it('returns distinct items even when items coincide, and names bad input', () => {
    const same = [0, 1, 2, 3].map(() => Float32Array.from([1, 1]));
    expect(new Set(selectRepresentatives(same, 2, 1)).size).toBe(2);
    expect(() => selectRepresentatives(same, 0)).toThrow(/targetCount: expected a positive integer, got 0/);
    expect(() => selectRepresentatives([Float32Array.from([1]), Float32Array.from([1, 2])], 1)).toThrow(/features\[1\]: expected 1 values, got 2/);
  });
});
