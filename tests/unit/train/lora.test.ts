import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../../native-models/graph';
import { createTensor, openSession, toFloat32Array } from '../../../native-models/runtime';
import { applyLora, loraCandidates, loraLayerSpecs, mergeLoraWeights } from '../../../native-models/train/lora';
import { createRng } from '../../../native-models/util/rng';

const rng = createRng(7);
const randn = (n: number, s = 0.5) => Float32Array.from({ length: n }, () => rng.normal() * s);

const shapes: Record<string, number[]> = {
  'net.conv.weight': [4, 3, 3, 3],
  'net.fc.weight': [36, 5],
  'net.head.weight': [3, 5],
  'net.head.bias': [3],
};
const baseWeights = new Map(Object.entries(shapes).map(([k, s]) => [k, randn(s.reduce((a, b) => a * b, 1))]));
const x = randn(2 * 3 * 6 * 6, 1);

/** conv(stride 2) -> relu -> flatten -> matmul -> gemm(transB, bias): one layer of each LoRA-able kind. */
function buildNet(weights: ReadonlyMap<string, Float32Array>): GraphBuilder {
  const b = new GraphBuilder('net');
  const input = b.input('x', 'float32', [2, 3, 6, 6]);
  const w = (name: string) => b.initializer(name, weights.get(name)!, shapes[name]!);
  const h = b.relu(b.conv(input, w('net.conv.weight'), null, { strides: 2, pads: 1 }));
  const f = b.matmul(b.reshape(h, [2, 36]), w('net.fc.weight'));
  b.output(b.gemm(f, w('net.head.weight'), w('net.head.bias'), { transB: true, alpha: 0.7 }), 'y');
  return b;
}

async function run(builder: GraphBuilder, feeds: Record<string, Float32Array>): Promise<Float32Array> {
  const session = await openSession(builder.build());
  const tensors = Object.fromEntries(
    builder.inputs.map((v) => [v.name, createTensor('float32', feeds[v.name] ?? (builder.initialValue(v) as Float32Array), [...v.shape])]),
  );
  const out = await session.run(tensors);
  await session.release();
  return toFloat32Array(out['y']!);
}

describe('applyLora', () => {
  const targets = loraCandidates(buildNet(baseWeights)).map((c) => ({ weight: c.weight, rank: 2 }));

  test('finds every Conv/MatMul/Gemm weight and starts as the source net (B = 0)', async () => {
    expect(targets.map((t) => t.weight)).toEqual(['net.conv.weight', 'net.fc.weight', 'net.head.weight']);
    const sourceNet = buildNet(baseWeights);
    const lora = applyLora(sourceNet, { targets, alpha: 4 });
    expect(lora.layers.map((l) => [l.layout, l.aShape, l.bShape, l.scale])).toEqual([
      ['conv', [2, 3, 3, 3], [4, 2, 1, 1], 2],
      ['in-out', [36, 2], [2, 5], 2],
      ['out-in', [2, 5], [3, 2], 2],
    ]);
    expect(lora.builder.trainables().map((v) => v.name)).toEqual(lora.layers.flatMap((l) => [l.aName, l.bName]));
    expect(lora.builder.valueInfo(lora.map(sourceNet.inputs[0]!)).kind).toBe('input');
    const [source, wrapped] = await Promise.all([run(buildNet(baseWeights), { x }), run(lora.builder, { x })]);
    expect(Math.max(...wrapped.map((v, i) => Math.abs(v - source[i]!)))).toBe(0);
  });

  test('merged weights reproduce the branch form within 1e-5', async () => {
    const lora = applyLora(buildNet(baseWeights), { targets, alpha: 4 });
    const factors: Record<string, Float32Array> = {};
    for (const layer of lora.layers) {
      factors[layer.aName] = randn(layer.aShape.reduce((a, b) => a * b, 1));
      factors[layer.bName] = randn(layer.bShape.reduce((a, b) => a * b, 1));
    }
    const branchOut = await run(lora.builder, { x, ...factors });
    const merged = mergeLoraWeights(loraLayerSpecs(lora.layers), baseWeights, factors);
    const mergedOut = await run(buildNet(merged), { x });
    const source = await run(buildNet(baseWeights), { x });
    const diff = Math.max(...branchOut.map((v, i) => Math.abs(v - mergedOut[i]!)));
    expect(diff).toBeLessThanOrEqual(1e-5);
    // The factors must actually change the output, or the comparison above proves nothing.
    expect(Math.max(...branchOut.map((v, i) => Math.abs(v - source[i]!)))).toBeGreaterThan(1e-2);
  });

  test.each([
    ['3x3, pads 1', [3, 3], [1, 1, 1, 1]],
    ['3x3, no pads', [3, 3], [0, 0, 0, 0]],
    ['3x3, asymmetric pads', [3, 3], [0, 2, 1, 0]],
    ['1x1', [1, 1], [0, 0, 0, 0]],
    ['5x3, pads 2/1', [5, 3], [2, 1, 2, 1]],
  ])('gemm-taps conv branch equals the Conv branch (%s)', async (_label, kernel, pads) => {
    const [kh, kw] = kernel as [number, number];
    const wData = randn(6 * 4 * kh * kw);
    const build = () => {
      const g = new GraphBuilder('one_conv');
      const input = g.input('x', 'float32', [2, 4, 7, 6]);
      g.output(g.conv(input, g.initializer('w', wData, [6, 4, kh, kw]), null, { pads: pads as number[] }), 'y');
      return g;
    };
    const xData = randn(2 * 4 * 7 * 6, 1);
    const aData = randn(3 * 4 * kh * kw);
    const bData = randn(6 * 3);
    const outputs: Float32Array[] = [];
    for (const convBranch of ['gemm-taps', 'conv'] as const) {
      const lora = applyLora(build(), { targets: [{ weight: 'w', rank: 3 }], alpha: 6, convBranch });
      const layer = lora.layers[0]!;
      outputs.push(await run(lora.builder, { x: xData, [layer.aName]: aData, [layer.bName]: bData }));
    }
    const [taps, conv] = outputs as [Float32Array, Float32Array];
    const scale = Math.max(...conv.map(Math.abs));
    expect(Math.max(...taps.map((v, i) => Math.abs(v - conv[i]!))) / scale).toBeLessThan(1e-5);
    // Without the branch the outputs differ clearly, so the comparison above has teeth.
    const base = await run(build(), { x: xData });
    expect(Math.max(...base.map((v, i) => Math.abs(v - conv[i]!))) / scale).toBeGreaterThan(1e-2);
  });

  test('bad targets fail with the weight named', () => {
    expect(() => applyLora(buildNet(baseWeights), { targets: [{ weight: 'net.nope', rank: 2 }] })).toThrow(
      /not found as Conv\/MatMul\/Gemm weights: net\.nope \(candidates: net\.conv\.weight/,
    );
    expect(() => applyLora(buildNet(baseWeights), { targets: [{ weight: 'net.fc.weight', rank: 9 }] })).toThrow(/rank 9 exceeds the full rank 5/);
    expect(() => applyLora(buildNet(baseWeights), { targets: [{ weight: 'net.fc.weight', rank: 0 }] })).toThrow(/integer >= 1/);
    const g = new GraphBuilder('g');
    const input = g.input('x', 'float32', [1, 4, 4, 4]);
    g.output(g.conv(input, g.initializer('dw', new Float32Array(4 * 9), [4, 1, 3, 3]), null, { group: 4 }), 'y');
    expect(() => applyLora(g, { targets: [{ weight: 'dw', rank: 1 }] })).toThrow(/group=4; only group=1/);
    expect(() => mergeLoraWeights(loraLayerSpecs(applyLora(buildNet(baseWeights), { targets }).layers), baseWeights, {})).toThrow(
      /needs W0, net\.conv\.weight\.lora_a and net\.conv\.weight\.lora_b/,
    );
  });
});

describe('applyLora on a net with a residual Add', () => {
  test('keeps the source graph names free of collisions and starts equal to the source', async () => {
    const weights = new Map([['res.conv.weight', randn(3 * 3 * 3 * 3)]]);
    const build = (w: ReadonlyMap<string, Float32Array>) => {
      const b = new GraphBuilder('res');
      const input = b.input('x', 'float32', [2, 3, 6, 6]);
      const weight = b.initializer('res.conv.weight', w.get('res.conv.weight')!, [3, 3, 3, 3]);
      const conv = (v: typeof input) => b.conv(v, weight, null, { pads: 1 });
      // Auto-named Adds in the source before and after the wrapped convs: the wrapper's own Adds must not take
      // their names.
      const r = b.add(conv(input), input);
      b.output(b.relu(b.add(conv(r), r)), 'y');
      return b;
    };
    const lora = applyLora(build(weights), { targets: [{ weight: 'res.conv.weight', rank: 2 }] });
    const [source, wrapped] = await Promise.all([run(build(weights), { x }), run(lora.builder, { x })]);
    expect(Math.max(...wrapped.map((v, i) => Math.abs(v - source[i]!)))).toBe(0);
  });
});
