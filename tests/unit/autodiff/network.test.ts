import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradients } from '../../../native-models/autodiff';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { randomArray } from '../graph/run-ort';
import { gradCheck } from './gradcheck';
import * as R from './reference/tensor64';

const same = { strides: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], dilations: [1, 1] as [number, number], group: 1 };
const down = { ...same, strides: [2, 2] as [number, number] };

/** conv(stride 2) -> InstanceNorm -> ReLU -> conv(+bias), L1 against a target. */
function buildNet(b: GraphBuilder, v: Record<string, Value>): Value {
  const h = b.scope('net.0', () => b.relu(b.instanceNorm(b.conv(v.x!, v.w1!, null, down), v.gamma!, v.beta!, 1e-5)));
  const y = b.scope('net.1', () => b.conv(h, v.w2!, v.b2!, same));
  return b.reduceMean(b.abs(b.sub(y, v.target!)), undefined, false);
}

function referenceNet(v: Record<string, R.T64>): R.T64 {
  const h = R.map(R.instanceNorm(R.conv2d(v.x!, v.w1!, null, down), v.gamma!, v.beta!, 1e-5), (q) => Math.max(0, q));
  const y = R.conv2d(h, v.w2!, v.b2!, same);
  const d = R.zip((p, q) => Math.abs(p - q), y, v.target!);
  return { shape: [], data: Float64Array.of(d.data.reduce((s, q) => s + q, 0) / d.data.length) };
}

const netInputs = {
  x: { shape: [2, 3, 6, 6], frozen: true },
  target: { shape: [2, 3, 3, 3], frozen: true, range: [-2, 2] as [number, number] },
  w1: { shape: [4, 3, 3, 3], range: [-0.5, 0.5] as [number, number] },
  gamma: { shape: [4], range: [0.5, 1.5] as [number, number] },
  beta: { shape: [4], range: [-0.2, 0.2] as [number, number] },
  w2: { shape: [3, 4, 3, 3], range: [-0.5, 0.5] as [number, number] },
  b2: { shape: [3] },
};

describe('composed network: conv + InstanceNorm + ReLU + conv, L1 loss', () => {
  for (const convWeightGrad of ['taps', 'shifts', 'conv'] as const) {
    it(`every parameter gradient matches float64 finite differences (dW ${convWeightGrad})`, async () => {
      const result = await gradCheck({ inputs: netInputs, build: buildNet, reference: referenceNet, options: { convWeightGrad }, seed: 99 });
      expect(result.gradError).toBeLessThan(1e-3);
    });
  }

  it('trains: an in-graph SGD step lowers the loss over 15 steps', async () => {
    const b = new GraphBuilder('train-step');
    const shapes: Record<string, number[]> = { w1: [4, 3, 3, 3], gamma: [4], beta: [4], w2: [3, 4, 3, 3], b2: [3] };
    const initial: Record<string, Float32Array> = {
      w1: randomArray(108, 1, -0.4, 0.4),
      gamma: new Float32Array(4).fill(1),
      beta: new Float32Array(4),
      w2: randomArray(108, 2, -0.4, 0.4),
      b2: new Float32Array(3),
    };
    const v: Record<string, Value> = {
      x: b.initializer('x', randomArray(216, 3), [2, 3, 6, 6]),
      target: b.initializer('target', randomArray(54, 4), [2, 3, 3, 3]),
    };
    for (const name of Object.keys(shapes)) v[name] = b.parameter(name, initial[name]!, shapes[name]!, { trainable: true });
    const lr = b.input('lr', 'float32', []);
    const loss = buildNet(b, v);
    const params = b.trainables();
    const grads = gradients(b, loss, params);
    b.output(loss, 'loss');
    params.forEach((p, i) => b.output(b.sub(p, b.mul(grads[i]!, lr)), `new.${p.name}`));

    const session = await ort.InferenceSession.create(b.build(), { executionProviders: ['cpu'] });
    try {
      const state = { ...initial };
      const losses: number[] = [];
      for (let step = 0; step < 15; step++) {
        const feeds: Record<string, ort.Tensor> = { lr: new ort.Tensor('float32', Float32Array.of(0.3), []) };
        for (const p of params) feeds[p.name] = new ort.Tensor('float32', state[p.name]!, shapes[p.name]!);
        const out = await session.run(feeds);
        losses.push((out.loss!.data as Float32Array)[0]!);
        for (const p of params) state[p.name] = (out[`new.${p.name}`]!.data as Float32Array).slice();
      }
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
      for (let i = 1; i < losses.length; i++) expect(Number.isFinite(losses[i])).toBe(true);
    } finally {
      await session.release();
    }
  });
});
