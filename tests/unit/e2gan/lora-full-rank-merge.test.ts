/**
 * A full-rank LoRA (rank >= the layer's output channels) is merged in the training graph: one conv with
 * W0 + s·B·A instead of the frozen conv plus a parallel A->B branch (the train-step speed work of issue 12).
 * The merged graph must compute the same function and the same gradients for A, B and the tokens as the
 * unmerged branch, which is what the PyTorch-checked autodiff tests cover.
 */
import { describe, expect, test } from 'vitest';
import { gradients } from '../../../native-models/autodiff';
import { conceptTokensShape, generatorPreset, loraPlacement } from '../../../native-models/e2gan/config';
import { buildGenerator } from '../../../native-models/e2gan/generator';
import { initLoraWeights, loraNames } from '../../../native-models/e2gan/lora';
import { initConceptTokens, initGeneratorWeights } from '../../../native-models/e2gan/weights';
import { GraphBuilder } from '../../../native-models/graph';
import { openSession, tensorFromValues, toFloat32Array, type Tensor } from '../../../native-models/runtime/index';
import { createRng } from '../../../native-models/util/rng';

const SIZE = 16;
const gc = generatorPreset('tiny', { height: SIZE, width: SIZE });
// Rank 8: the stem (3 -> 8), up.1 (16 -> 8), the output conv (8 -> 3) and the input skip (3 -> 3) are full rank
// (merged); down.0 (8 -> 16) and the wider layers stay low-rank branches.
const placement = loraPlacement(gc, 8);
const rng = createRng(12);
const base = initGeneratorWeights(gc, 1);
const lora = initLoraWeights(gc, placement, 2);
// B starts at zero, which would zero every A gradient and hide a wrong merge: give it values.
for (const p of placement)
  lora.set(
    loraNames(p.layer).b,
    Float32Array.from(lora.get(loraNames(p.layer).b)!, () => 0.05 * rng.normal()),
  );
const weights = new Map([...base, ...lora]);
const trainable = new Set(placement.flatMap((p) => Object.values(loraNames(p.layer))));
const tokens = initConceptTokens(gc, 4);
const shape = [2, 3, SIZE, SIZE];
const input = Float32Array.from({ length: 2 * 3 * SIZE * SIZE }, () => rng.next() * 2 - 1);
const target = Float32Array.from({ length: input.length }, () => rng.next() * 2 - 1);

async function lossAndGradients(mergeLora: 'full-rank' | 'never'): Promise<{ convs: number; out: Record<string, Float32Array>; names: string[] }> {
  const b = new GraphBuilder(`merge_${mergeLora}`);
  const x = b.input('input', 'float32', shape);
  const y = b.input('target', 'float32', shape);
  const t = b.parameter('tokens', tokens, conceptTokensShape(gc), { trainable: true });
  const fake = buildGenerator(b, gc, x, t, { weights, trainable: (name) => trainable.has(name), lora: placement, mergeLora });
  const convs = b.nodes.filter((n) => n.opType === 'Conv').length;
  const loss = b.reduceMean(b.abs(b.sub(fake, y)), undefined, false);
  const params = b.trainables();
  gradients(b, loss, params).forEach((grad, i) => b.output(grad, `grad.${params[i]!.name}`));
  b.output(b.identity(fake), 'fake');
  const session = await openSession(b.build());
  try {
    const feeds: Record<string, Tensor> = {
      input: tensorFromValues('float32', input, shape),
      target: tensorFromValues('float32', target, shape),
    };
    for (const param of params) feeds[param.name] = tensorFromValues('float32', b.initialValue(param) as Float32Array, [...param.shape]);
    const result = await session.run(feeds);
    return { convs, out: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, toFloat32Array(v)])), names: params.map((p) => p.name) };
  } finally {
    await session.release();
  }
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / Math.max(scale, 1e-12);
}

describe('full-rank LoRA merged in the training graph', () => {
  test('computes the same image and the same gradients as the unmerged branch, with fewer convs', async () => {
    const merged = await lossAndGradients('full-rank');
    const branch = await lossAndGradients('never');
    const fullRank = placement.filter((p) => ['generator.stem.conv', 'generator.up.1.conv', 'generator.out.conv', 'generator.skip.conv'].includes(p.layer));
    expect(fullRank).toHaveLength(4);
    // Each merged layer loses its A conv and its B conv in the forward graph.
    expect(branch.convs - merged.convs).toBe(2 * fullRank.length);
    expect(merged.names.sort()).toEqual(branch.names.sort());
    expect(maxRelativeError(merged.out['fake']!, branch.out['fake']!)).toBeLessThan(1e-5);
    for (const name of merged.names) {
      const a = merged.out[`grad.${name}`]!;
      const b = branch.out[`grad.${name}`]!;
      expect(a.length, name).toBe(b.length);
      // Not all zeros: a gradient that vanished in both graphs would compare equal and prove nothing.
      expect(
        b.some((v) => v !== 0),
        `${name} has a gradient`,
      ).toBe(true);
      expect(maxRelativeError(a, b), name).toBeLessThan(1e-4);
    }
  });
});
