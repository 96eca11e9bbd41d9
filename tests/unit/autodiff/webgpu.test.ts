/**
 * Every gradient rule's backward graph must run entirely on onnxruntime's WebGPU EP (no CPU fallback) and
 * match the CPU EP. On a GPU-less Linux box this uses Chromium's SwiftShader Vulkan driver, which
 * vitest.config.ts puts on the worker's environment before it starts (the Vulkan loader must be on
 * LD_LIBRARY_PATH at process start). Where no adapter opens the suite is skipped with the reason printed,
 * except under CI=true on a machine with the driver, where that is a failure.
 */
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradients, type GradientOptions } from '../../../native-models/autodiff';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { randomArray } from '../graph/run-ort';
import { webgpuUnavailable } from '../../support/test-environment';

const WEBGPU_ONLY = { executionProviders: ['webgpu'], extra: { session: { disable_cpu_ep_fallback: '1' } } } as ort.InferenceSession.SessionOptions;

let unavailable: string | null = null;

beforeAll(async () => {
  const b = new GraphBuilder();
  b.output(b.relu(b.input('x', 'float32', [2])), 'y');
  try {
    const s = await ort.InferenceSession.create(b.build(), WEBGPU_ONLY);
    await s.release();
  } catch (e) {
    unavailable = webgpuUnavailable(String(e));
    console.warn(`[webgpu gradients] skipped: ${unavailable}`);
  }
});

/** Builds loss(params) and its gradients, runs on CPU and WebGPU-only, returns the worst relative difference. */
async function compareEps(
  shapes: Record<string, number[]>,
  forward: (b: GraphBuilder, v: Record<string, Value>) => Value,
  options: GradientOptions = {},
): Promise<number> {
  const b = new GraphBuilder('webgpu-check');
  const v: Record<string, Value> = {};
  let seed = 1;
  for (const [name, shape] of Object.entries(shapes)) {
    v[name] = b.parameter(
      name,
      randomArray(
        shape.reduce((p, q) => p * q, 1),
        seed++,
        0.2,
        1.2,
      ),
      shape,
      { trainable: true },
    );
  }
  const y = forward(b, v);
  const r = b.constant(
    randomArray(
      y.shape.reduce((p, q) => p * q, 1),
      77,
    ),
    y.shape,
  );
  const loss = b.reduceSum(b.mul(y, r), undefined, false);
  const params = b.trainables();
  gradients(b, loss, params, options).forEach((g, i) => b.output(g, `grad.${params[i]!.name}`));
  b.output(loss, 'loss');
  const bytes = b.build();
  const feeds: Record<string, ort.Tensor> = {};
  for (const p of params) feeds[p.name] = new ort.Tensor('float32', b.initialValue(p) as Float32Array, [...p.shape]);
  const cpu = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const gpu = await ort.InferenceSession.create(bytes, WEBGPU_ONLY);
  try {
    const [rc, rg] = [await cpu.run(feeds), await gpu.run(feeds)];
    let worst = 0;
    for (const name of Object.keys(rc)) {
      const [a, c] = [rc[name]!.data as Float32Array, rg[name]!.data as Float32Array];
      const scale = Math.max(1e-3, ...Array.from(a, Math.abs));
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - c[i]!) / scale);
    }
    return worst;
  } finally {
    await cpu.release();
    await gpu.release();
  }
}

const cases: [string, Record<string, number[]>, (b: GraphBuilder, v: Record<string, Value>) => Value, GradientOptions?][] = [
  [
    'Conv stride 2 + groups (taps dW, per-phase Conv dX)',
    { x: [1, 4, 6, 6], w: [4, 2, 3, 3], bias: [4] },
    (b, v) => b.conv(v.x!, v.w!, v.bias!, { strides: 2, pads: 1, group: 2 }),
  ],
  [
    'Conv stride 2, ConvTranspose dX',
    { x: [1, 4, 7, 7], w: [4, 4, 3, 3] },
    (b, v) => b.conv(v.x!, v.w!, null, { strides: 2, pads: 1 }),
    { convInputGrad: 'convTranspose' },
  ],
  ['Conv depthwise + dilation', { x: [1, 3, 6, 6], w: [3, 1, 3, 3] }, (b, v) => b.conv(v.x!, v.w!, null, { pads: 2, dilations: 2, group: 3 })],
  [
    'Conv stride 1, in-graph flipped kernel dX, conv-trick dW',
    { x: [1, 2, 5, 5], w: [3, 2, 3, 3] },
    (b, v) => b.conv(v.x!, v.w!, null, { pads: 1 }),
    { convInputGrad: 'flippedConv', convWeightGrad: 'conv' },
  ],
  [
    'Conv C_out < C_in stride 1, 5x5 (swapped conv-trick dW)',
    { x: [2, 4, 7, 7], w: [2, 4, 5, 5] },
    (b, v) => b.conv(v.x!, v.w!, null, { pads: 2 }),
    { convWeightGrad: 'conv' },
  ],
  [
    'Conv C_out < C_in stride 2 (shifts dW with dilated dY)',
    { x: [1, 4, 6, 6], w: [2, 4, 3, 3] },
    (b, v) => b.conv(v.x!, v.w!, null, { strides: 2, pads: 1 }),
    { convWeightGrad: 'shifts' },
  ],
  ['ConvTranspose stride 2', { x: [1, 3, 3, 3], w: [3, 2, 4, 4], bias: [2] }, (b, v) => b.convTranspose(v.x!, v.w!, v.bias!, { strides: 2, pads: 1 })],
  ['InstanceNorm + LeakyRelu', { x: [1, 3, 4, 4], s: [3], t: [3] }, (b, v) => b.leakyRelu(b.instanceNorm(v.x!, v.s!, v.t!), 0.2)],
  ['GroupNorm + SiLU', { x: [1, 4, 3, 3], s: [4], t: [4] }, (b, v) => b.silu(b.groupNorm(v.x!, v.s!, v.t!, 2))],
  ['LayerNorm + Gelu + Softmax', { x: [2, 3, 4], s: [4], t: [4] }, (b, v) => b.softmax(b.gelu(b.layerNorm(v.x!, v.s!, v.t!)), -1)],
  ['MatMul + Gemm', { a: [2, 3, 4], w: [4, 5], g: [5, 3], c: [3] }, (b, v) => b.gemm(b.reshape(b.matmul(v.a!, v.w!), [6, 5]), v.g!, v.c!, { alpha: 0.5 })],
  [
    'Pad reflect / edge / constant',
    { x: [1, 2, 4, 4] },
    (b, v) =>
      b.add(
        b.add(b.pad(v.x!, [0, 0, 1, 2, 0, 0, 2, 1], { mode: 'reflect' }), b.pad(v.x!, [0, 0, 1, 2, 0, 0, 2, 1], { mode: 'edge' })),
        b.pad(v.x!, [0, 0, 1, 2, 0, 0, 2, 1]),
      ),
  ],
  [
    'Slice strided / reversed, Concat, Split',
    { x: [2, 5, 6] },
    (b, v) => {
      const [p, q] = b.split(v.x!, [2, 4], 2);
      return b.concat(
        [b.slice(p!, { starts: [4, 1], ends: [-100, 2], axes: [1, 2], steps: [-2, 1] }), b.slice(q!, { starts: [0], ends: [5], axes: [1], steps: [2] })],
        2,
      );
    },
  ],
  [
    'Resize linear + nearest, DepthToSpace DCR / CRD, SpaceToDepth',
    { x: [1, 4, 2, 2] },
    (b, v) => {
      const up = b.resize(v.x!, { scales: [1, 1, 2, 2], mode: 'linear' });
      const near = b.resize(v.x!, { scales: [1, 1, 2, 2], mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' });
      const d2s = b.add(b.depthToSpace(v.x!, 2, 'DCR'), b.depthToSpace(v.x!, 2, 'CRD'));
      return b.add(b.add(up, near), b.depthToSpace(b.spaceToDepth(b.concat([d2s, d2s, d2s, d2s], 1), 2), 2));
    },
  ],
  [
    'Elementwise: Abs Sqrt Exp Log Pow Div Max Min Clip Where Tanh Sigmoid Erf Reciprocal',
    { a: [2, 3], c: [3] },
    (b, v) => {
      const x = b.sub(v.a!, 0.7);
      let y = b.add(b.abs(x), b.sqrt(v.a!));
      y = b.add(y, b.mul(b.exp(x), b.log(v.a!)));
      y = b.add(y, b.div(b.pow(v.a!, v.c!), v.c!));
      y = b.add(y, b.sub(b.max(v.a!, v.c!), b.min(v.a!, v.c!)));
      y = b.add(y, b.clip(x, -0.2, 0.2));
      y = b.add(y, b.where(b.greater(x, 0), b.tanh(x), b.sigmoid(x)));
      return b.add(y, b.mul(b.erf(x), b.reciprocal(v.c!)));
    },
  ],
  [
    'Reductions, Transpose, Expand, Unsqueeze',
    { x: [2, 3, 4], e: [3, 1] },
    (b, v) => {
      const t = b.transpose(v.x!, [1, 0, 2]);
      const m = b.add(b.reduceMean(t, [2], true), b.reduceMax(t, [1], true));
      return b.add(b.mul(b.reduceSum(m, [1], false), b.squeeze(b.expand(b.unsqueeze(v.e!, [0]), [1, 3, 4]), [0])), 1);
    },
  ],
];

describe('gradient graphs on the WebGPU EP (no CPU fallback) match the CPU EP', () => {
  for (const [name, shapes, forward, options] of cases) {
    it(name, async (ctx) => {
      if (unavailable) ctx.skip();
      const diff = await compareEps(shapes, forward, options);
      expect(diff).toBeLessThan(1e-4);
    });
  }
});
