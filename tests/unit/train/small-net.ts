/** A tiny conv -> InstanceNorm -> ReLU -> conv net and a fixed regression task, shared by train tests. */
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { l1Loss } from '../../../native-models/train/losses';
import { createRng } from '../../../native-models/util/rng';

export const X_SHAPE = [2, 3, 8, 8];
export const WEIGHT_SHAPES: Record<string, number[]> = {
  'net.conv1.weight': [8, 3, 3, 3],
  'net.norm.scale': [8],
  'net.norm.bias': [8],
  'net.conv2.weight': [3, 8, 3, 3],
};

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function randomWeights(seed: number): Map<string, Float32Array> {
  const rng = createRng(seed);
  return new Map(
    Object.entries(WEIGHT_SHAPES).map(([name, shape]) => {
      if (name.endsWith('scale')) return [name, new Float32Array(numel(shape)).fill(1)];
      if (name.endsWith('bias')) return [name, new Float32Array(numel(shape))];
      const fanIn = numel(shape.slice(1));
      return [name, Float32Array.from({ length: numel(shape) }, () => rng.normal() / Math.sqrt(fanIn))];
    }),
  );
}

export function randomBatch(seed: number): { x: Float32Array; target: Float32Array } {
  const rng = createRng(seed);
  return {
    x: Float32Array.from({ length: numel(X_SHAPE) }, () => rng.normal()),
    target: Float32Array.from({ length: numel(X_SHAPE) }, () => rng.normal() * 0.5),
  };
}

/**
 * Builds the net into a fresh builder with an L1 loss against `target`. `trainable(name)` picks which weights
 * become trainable graph inputs (the rest are frozen initializers).
 */
export function buildSmallNet(
  weights: ReadonlyMap<string, Float32Array>,
  trainable: (name: string) => boolean,
): {
  builder: GraphBuilder;
  prediction: Value;
} {
  const b = new GraphBuilder('small_net');
  const x = b.input('x', 'float32', X_SHAPE);
  const p = (name: string) => b.parameter(name, weights.get(name)!, WEIGHT_SHAPES[name]!, { trainable: trainable(name) });
  const h = b.relu(b.instanceNorm(b.conv(x, p('net.conv1.weight'), null, { pads: 1 }), p('net.norm.scale'), p('net.norm.bias')));
  const prediction = b.conv(h, p('net.conv2.weight'), null, { pads: 1 });
  return { builder: b, prediction };
}

export function withL1Loss(builder: GraphBuilder, prediction: Value): Value {
  const target = builder.input('target', 'float32', X_SHAPE);
  return l1Loss(builder, prediction, target);
}
