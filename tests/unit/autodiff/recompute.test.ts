/** Gradient checkpointing (GradientOptions.recompute): same gradients, recomputed clones in the graph. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { gradients, type RecomputeOptions } from '../../../native-models/autodiff';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { decodeModel } from '../../../native-models/onnx/decode';
import { createTensor, openSession, toFloat32Array, type Feeds } from '../../../native-models/runtime';
import { compileTrainStep } from '../../../native-models/train/compile';
import { applyLora, loraCandidates } from '../../../native-models/train/lora';
import { l1Loss } from '../../../native-models/train/losses';
import { createRng } from '../../../native-models/util/rng';
import { X_SHAPE as X_SHAPE_SMALL, buildSmallNet, randomBatch, randomWeights, withL1Loss } from '../train/small-net';

const X_SHAPE = [2, 3, 12, 12];
const CHANNELS = [3, 8, 8, 8, 3];
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const rng = createRng(11);
const WEIGHTS = CHANNELS.slice(1).map((cout, l) => {
  const cin = CHANNELS[l]!;
  return Float32Array.from({ length: cout * cin * 9 }, () => rng.normal() / Math.sqrt(cin * 9));
});
const X = Float32Array.from({ length: numel(X_SHAPE) }, () => rng.normal());
const TARGET = Float32Array.from({ length: numel(X_SHAPE) }, () => rng.normal() * 0.5);

/** 4 convs (3x3), InstanceNorm + ReLU between, a residual add and tanh at the end; every conv weight trained. */
function buildNet(): { b: GraphBuilder; prediction: Value; weights: Value[] } {
  const b = new GraphBuilder('recompute_net');
  const x = b.input('x', 'float32', X_SHAPE);
  const weights: Value[] = [];
  let h = x;
  let skip: Value | null = null;
  for (let l = 0; l < WEIGHTS.length; l++) {
    const cout = CHANNELS[l + 1]!;
    const w = b.parameter(`conv${l}.weight`, WEIGHTS[l]!, [cout, CHANNELS[l]!, 3, 3], { trainable: true });
    weights.push(w);
    const y = b.conv(h, w, null, { pads: 1 });
    if (l === WEIGHTS.length - 1) {
      h = b.tanh(y);
    } else {
      const scale = b.initializer(`norm${l}.scale`, new Float32Array(cout).fill(1), [cout]);
      const shift = b.initializer(`norm${l}.bias`, new Float32Array(cout), [cout]);
      h = b.relu(b.instanceNorm(y, scale, shift));
      if (l === 1) skip = h;
      if (l === 2) h = b.add(h, skip!);
    }
  }
  return { b, prediction: h, weights };
}

const withLoss = (b: GraphBuilder, prediction: Value) => l1Loss(b, prediction, b.input('target', 'float32', X_SHAPE));

function buildGradientModel(recompute?: RecomputeOptions): { model: Uint8Array; b: GraphBuilder } {
  const { b, prediction, weights } = buildNet();
  const loss = withLoss(b, prediction);
  const grads = gradients(b, loss, weights, recompute ? { recompute } : {});
  b.output(loss, 'loss');
  grads.forEach((g, i) => b.output(g, `grad${i}`));
  return { model: b.build(), b };
}

function feeds(): Feeds {
  const f: Feeds = { x: createTensor('float32', X, X_SHAPE), target: createTensor('float32', TARGET, X_SHAPE) };
  WEIGHTS.forEach((w, l) => (f[`conv${l}.weight`] = createTensor('float32', w, [CHANNELS[l + 1]!, CHANNELS[l]!, 3, 3])));
  return f;
}

async function run(model: Uint8Array): Promise<Record<string, Float32Array>> {
  return runFeeds(model, feeds());
}

async function runFeeds(model: Uint8Array, f: Feeds): Promise<Record<string, Float32Array>> {
  const session = await openSession(model);
  const out = await session.run(f);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, toFloat32Array(v)]));
}

const dir = mkdtempSync(join(tmpdir(), 'recompute-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradients with recompute (gradient checkpointing)', () => {
  test('gives the same gradients as keeping every activation (<= 1e-5 relative)', async () => {
    const plain = await run(buildGradientModel().model);
    for (const segments of [2, 3, 5]) {
      const recomputed = await run(buildGradientModel({ segments }).model);
      expect(recomputed['loss']![0]).toBe(plain['loss']![0]);
      for (let i = 0; i < WEIGHTS.length; i++) {
        const a = recomputed[`grad${i}`]!;
        const g = plain[`grad${i}`]!;
        const scale = Math.max(...g.map(Math.abs));
        expect(scale, `grad${i}`).toBeGreaterThan(1e-4);
        expect(Math.max(...a.map((v, k) => Math.abs(v - g[k]!))) / scale, `segments ${segments} grad${i}`).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  test('the graph holds recomputed forward clones tied to the backward pass, and ORT keeps them', async () => {
    const plain = buildGradientModel().b;
    expect(plain.nodes.some((n) => n.name.includes('recompute'))).toBe(false);
    expect(buildGradientModel({ segments: 1 }).b.nodes.length).toBe(plain.nodes.length);

    const { b, model } = buildGradientModel({ segments: 3 });
    const clones = b.nodes.filter((n) => /\.recompute\d+\./.test(n.name) && n.opType !== 'Where');
    const forwardConvs = plain.nodes.filter((n) => n.opType === 'Conv' && !n.name.includes('grad.'));
    const clonedConvs = clones.filter((n) => n.opType === 'Conv');
    // The first two of three segments are recomputed: some but not all of the 4 forward convs.
    expect(clonedConvs.length).toBeGreaterThan(0);
    expect(clonedConvs.length).toBeLessThan(forwardConvs.length);
    expect(clones.map((n) => n.opType)).toEqual(expect.arrayContaining(['Conv', 'InstanceNormalization', 'Relu']));
    // Every checkpoint enters through Where(g0 == g0, x, x), the condition computed from a gradient.
    const ties = b.nodes.filter((n) => n.opType === 'Where' && n.name.includes('.recompute'));
    expect(ties.length).toBeGreaterThan(0);
    for (const tie of ties) {
      expect(tie.inputs[1]).toBe(tie.inputs[2]);
      const cond = b.producerOf(tie.input(0))!;
      expect(cond.opType).toBe('Equal');
      expect(cond.name.startsWith('grad.')).toBe(true);
    }
    // Clones read tied checkpoints or other clones, never the original activations of their own segment.
    const originals = new Set(plain.nodes.flatMap((n) => n.outputs.map((o) => o.name)));
    const tieOutputs = new Set(ties.flatMap((t) => t.outputs));
    for (const clone of clones.filter((n) => n.opType === 'Conv')) {
      const x = clone.input(0);
      expect(tieOutputs.has(x) || clones.some((c) => c.outputs.includes(x)), `${clone} input ${x.name}`).toBe(true);
      expect(originals.has(x.name)).toBe(false);
    }

    // ORT's optimizer (common-subexpression elimination included) must not merge the clones away.
    const optimized = join(dir, 'recompute.optimized.onnx');
    const session = await openSession(model, { optimizedModelFilePath: optimized, graphOptimizationLevel: 'extended' });
    await session.release();
    const kept = decodeModel(new Uint8Array(readFileSync(optimized))).graph.nodes.filter((n) => n.opType === 'Conv' && n.name.includes('.recompute'));
    expect(kept.length).toBe(clonedConvs.length);
  });

  test('compileTrainStep with recompute gives the same gradients and parameter updates', async () => {
    const outputs = async (recompute?: RecomputeOptions) => {
      const { builder, prediction } = buildSmallNet(randomWeights(5), () => true);
      const compiled = compileTrainStep({
        builder,
        loss: withL1Loss(builder, prediction),
        exposeGradients: true,
        ...(recompute ? { gradients: { recompute } } : {}),
      });
      const data = randomBatch(6);
      const f: Feeds = { x: createTensor('float32', data.x, X_SHAPE_SMALL), target: createTensor('float32', data.target, X_SHAPE_SMALL) };
      f[compiled.program.learningRateInput] = createTensor('float32', new Float32Array([1e-2]), []);
      f[compiled.program.stepInput] = createTensor('float32', new Float32Array([1]), []);
      for (const s of compiled.program.state) {
        f[s.input] = createTensor('float32', s.init === 'given' ? compiled.initialState[s.input]! : new Float32Array(numel(s.shape)), s.shape);
      }
      return { out: await runFeeds(compiled.program.model, f), nodes: builder.nodes };
    };
    const plain = await outputs();
    const recomputed = await outputs({ segments: 2 });
    expect(recomputed.nodes.filter((n) => n.opType === 'Conv' && n.name.includes('.recompute')).length).toBeGreaterThan(0);
    const names = Object.keys(plain.out).filter((k) => k.endsWith('.grad') || k.endsWith('.next'));
    expect(names).toContain('net.conv1.weight.grad');
    for (const name of names) {
      const a = recomputed.out[name]!;
      const g = plain.out[name]!;
      const scale = Math.max(1e-6, ...g.map(Math.abs));
      expect(Math.max(...a.map((v, k) => Math.abs(v - g[k]!))) / scale, name).toBeLessThanOrEqual(1e-5);
    }
  });

  test('rejects a bad segment count and recompute combined with gradient shortcuts', () => {
    const { b, prediction, weights } = buildNet();
    const loss = withLoss(b, prediction);
    expect(() => gradients(b, loss, weights, { recompute: { segments: 0 } })).toThrow(/recompute\.segments must be an integer >= 1, got 0/);
    const source = buildSmallNet(randomWeights(1), () => false);
    source.builder.output(source.prediction, 'y');
    const lora = applyLora(source.builder, { targets: loraCandidates(source.builder, ['Conv']).map((c) => ({ weight: c.weight, rank: 2 })) });
    expect(() =>
      compileTrainStep({
        builder: lora.builder,
        loss: withL1Loss(lora.builder, lora.map(source.prediction)),
        gradients: { recompute: { segments: 2 } },
        gradientShortcuts: lora.gradientShortcuts(),
      }),
    ).toThrow(/recompute cannot be combined with gradientShortcuts/);
  });
});
