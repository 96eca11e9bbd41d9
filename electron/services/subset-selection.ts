import { createRng } from '../../native-models/util/rng';

/**
 * E2GAN's data reduction: cluster the feature vectors into k groups and keep, for each cluster, the item
 * nearest its centroid. Deterministic for a given seed (k-means++ seeding from a seeded generator), so the
 * same pairs and target count always keep the same items.
 */
export function selectRepresentatives(features: readonly Float32Array[], targetCount: number, seed = 1, iterations = 25): number[] {
  const n = features.length;
  if (!Number.isInteger(targetCount) || targetCount < 1) throw new Error(`targetCount: expected a positive integer, got ${targetCount}`);
  if (targetCount >= n) return features.map((_, index) => index);
  const dims = features[0]!.length;
  for (const [index, feature] of features.entries()) {
    if (feature.length !== dims) throw new Error(`features[${index}]: expected ${dims} values, got ${feature.length}`);
  }
  const centroids = seedCentroids(features, targetCount, seed);
  const assignment = new Int32Array(n).fill(-1);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      const nearest = nearestIndex(features[i]!, centroids);
      if (nearest !== assignment[i]) {
        assignment[i] = nearest;
        moved = true;
      }
    }
    if (!moved) break;
    updateCentroids(features, assignment, centroids);
  }
  // Nearest item per centroid; an item already taken by another centroid is skipped so k distinct items remain.
  const kept: number[] = [];
  const taken = new Set<number>();
  for (const centroid of centroids) {
    let best = -1;
    let bestDistance = Infinity;
    for (let i = 0; i < n; i++) {
      if (taken.has(i)) continue;
      const distance = squaredDistance(features[i]!, centroid);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    taken.add(best);
    kept.push(best);
  }
  return kept;
}

function seedCentroids(features: readonly Float32Array[], k: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  const centroids = [Float32Array.from(features[rng.int(features.length)]!)];
  const distances = features.map((feature) => squaredDistance(feature, centroids[0]!));
  while (centroids.length < k) {
    const total = distances.reduce((sum, d) => sum + d, 0);
    let chosen = 0;
    if (total > 0) {
      let target = rng.next() * total;
      for (chosen = 0; chosen < distances.length - 1; chosen++) {
        target -= distances[chosen]!;
        if (target < 0) break;
      }
    } else {
      // All remaining items coincide with a centroid: any item not yet picked will do.
      chosen = distances.findIndex((d, i) => d === 0 && !centroids.some((c) => c === features[i]));
      chosen = Math.max(0, chosen);
    }
    const centroid = Float32Array.from(features[chosen]!);
    centroids.push(centroid);
    features.forEach((feature, i) => {
      distances[i] = Math.min(distances[i]!, squaredDistance(feature, centroid));
    });
  }
  return centroids;
}

function updateCentroids(features: readonly Float32Array[], assignment: Int32Array, centroids: Float32Array[]): void {
  const counts = new Array<number>(centroids.length).fill(0);
  const sums = centroids.map((c) => new Float64Array(c.length));
  features.forEach((feature, i) => {
    const cluster = assignment[i]!;
    counts[cluster]! += 1;
    const sum = sums[cluster]!;
    for (let d = 0; d < feature.length; d++) sum[d]! += feature[d]!;
  });
  centroids.forEach((centroid, c) => {
    // An empty cluster keeps its old centroid rather than collapsing to the origin.
    if (counts[c] === 0) return;
    for (let d = 0; d < centroid.length; d++) centroid[d] = sums[c]![d]! / counts[c]!;
  });
}

function nearestIndex(feature: Float32Array, centroids: readonly Float32Array[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centroids.forEach((centroid, c) => {
    const distance = squaredDistance(feature, centroid);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  });
  return best;
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}
