import { describe, expect, it } from 'vitest';
import { gradients } from '../../../native-models/autodiff';
import { GraphBuilder } from '../../../native-models/graph';
import { decodeModel } from '../../../native-models/onnx';
import { randomArray, runOrt } from '../graph/run-ort';

function opsOf(b: GraphBuilder): string[] {
  return decodeModel(b.build()).graph.nodes.map((n) => n.opType);
}

describe('gradients() walker', () => {
  it('sums fan-out: d/dx of x*x + 3x is 2x + 3', async () => {
    const b = new GraphBuilder();
    const x = b.parameter('x', [0.5, -1, 2], [3], { trainable: true });
    const y = b.add(b.mul(x, x), b.mul(x, 3));
    const [g] = gradients(b, b.reduceSum(y, undefined, false), [x]);
    b.output(g!, 'g');
    const out = await runOrt(b.build(), { x: { data: Float32Array.from([0.5, -1, 2]), dims: [3] } });
    expect(Array.from(out.g!.data)).toEqual([4, 1, 7]);
  });

  it('prunes: frozen weights and branches off the path get no backward ops', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const frozen = b.parameter('frozen.weight', randomArray(2 * 2 * 9, 1), [2, 2, 3, 3], { trainable: false });
    const trainable = b.parameter('head.weight', randomArray(2 * 2, 2), [2, 2, 1, 1], { trainable: true });
    const h = b.relu(b.conv(x, frozen, null, { pads: 1 }));
    const unrelated = b.sigmoid(b.reduceMean(h));
    b.output(unrelated, 'side');
    const loss = b.reduceMean(b.conv(h, trainable), undefined, false);
    const [g] = gradients(b, loss, [trainable]);
    b.output(loss, 'loss');
    b.output(g!, 'g');
    const ops = opsOf(b);
    // Two forward convs; the backward is the head's dW only (per-tap MatMuls): no dX, nothing for the
    // frozen conv, the ReLU or the side branch.
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(2);
    expect(ops).toContain('MatMul');
    expect(ops).not.toContain('ConvTranspose');
    expect(ops.filter((o) => o === 'Where')).toHaveLength(0);
    expect(ops.filter((o) => o === 'Sigmoid')).toHaveLength(1);
  });

  it('emits conv dX as flipped-kernel Convs (constant kernels when frozen), ConvTranspose only when asked', () => {
    const build = (strides: number, frozen: boolean, convInputGrad: 'auto' | 'convTranspose' = 'auto') => {
      const b = new GraphBuilder();
      const x = b.parameter('x', randomArray(2 * 8 * 8, 3), [1, 2, 8, 8], { trainable: true });
      const w = b.parameter('w', randomArray(3 * 2 * 9, 4), [3, 2, 3, 3], { trainable: !frozen });
      const [g] = gradients(b, b.reduceSum(b.conv(x, w, null, { strides, pads: 1 }), undefined, false), [x], { convInputGrad });
      b.output(g!, 'g');
      return opsOf(b);
    };
    // Only the gradient is an output, so the forward conv is pruned: the Convs left are the dX convs.
    expect(build(1, true).filter((o) => o === 'Conv')).toHaveLength(1);
    expect(build(1, true)).not.toContain('Gather');
    expect(build(1, false)).toContain('Gather'); // kernel flipped in-graph
    // Stride 2: one stride-1 Conv per output phase (2 x 2), never a ConvTranspose.
    expect(build(2, true).filter((o) => o === 'Conv')).toHaveLength(4);
    expect(build(2, false)).not.toContain('ConvTranspose');
    expect(build(2, true, 'convTranspose')).toContain('ConvTranspose');
    expect(build(1, true, 'convTranspose')).toContain('ConvTranspose');
  });

  it('returns zeros for a tensor the loss does not depend on, and treats comparisons and Cast as constants', async () => {
    const b = new GraphBuilder();
    const x = b.parameter('x', [1, -2], [2], { trainable: true });
    const z = b.parameter('z', [3, 4], [2], { trainable: true });
    const mask = b.cast(b.greater(x, 0), 'float32');
    const loss = b.reduceSum(b.mul(x, mask), undefined, false);
    const [gx, gz] = gradients(b, loss, [x, z]);
    b.output(gx!, 'gx');
    b.output(gz!, 'gz');
    const out = await runOrt(b.build(), { x: { data: Float32Array.from([1, -2]), dims: [2] }, z: { data: Float32Array.from([3, 4]), dims: [2] } });
    expect(Array.from(out.gx!.data)).toEqual([1, 0]);
    expect(Array.from(out.gz!.data)).toEqual([0, 0]);
  });

  it('names the op when a node on the path has no gradient rule', () => {
    const b = new GraphBuilder();
    const table = b.parameter('table', randomArray(12, 5), [4, 3], { trainable: true });
    const loss = b.reduceSum(b.gather(table, [0, 2], 0), undefined, false);
    expect(() => gradients(b, loss, [table])).toThrow(/no gradient rule for Gather node 'gather_\d+'/);
  });

  it('accepts a seed (upstream gradient) for a non-scalar output', async () => {
    const b = new GraphBuilder();
    const x = b.parameter('x', [1, 2, 3], [3], { trainable: true });
    const seed = b.input('seed', 'float32', [3]);
    const [g] = gradients(b, b.mul(x, x), [x], { seed });
    b.output(g!, 'g');
    const out = await runOrt(b.build(), { x: { data: Float32Array.from([1, 2, 3]), dims: [3] }, seed: { data: Float32Array.from([1, 10, 100]), dims: [3] } });
    expect(Array.from(out.g!.data)).toEqual([2, 40, 600]);
  });
});
