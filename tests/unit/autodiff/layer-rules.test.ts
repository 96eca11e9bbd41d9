import { describe, it } from 'vitest';
import { gradCheck } from './gradcheck';
import * as R from './reference/tensor64';

describe('normalization gradient rules vs float64 finite differences', () => {
  it('InstanceNormalization (x, scale, bias)', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 3, 4], range: [-2, 2] }, s: { shape: [3], range: [0.5, 1.5] }, t: { shape: [3] } },
      build: (b, v) => b.instanceNorm(v.x!, v.s!, v.t!, 1e-5),
      reference: (v) => R.instanceNorm(v.x!, v.s!, v.t!, 1e-5),
    });
  });

  it('LayerNormalization over the last two axes', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 4], range: [-2, 2] }, s: { shape: [3, 4], range: [0.5, 1.5] }, t: { shape: [3, 4] } },
      build: (b, v) => b.layerNorm(v.x!, v.s!, v.t!, { axis: 1, epsilon: 1e-5 }),
      reference: (v) => R.layerNorm(v.x!, v.s!, v.t!, 1, 1e-5),
    });
  });

  it('LayerNormalization, last axis, broadcast scale and no bias', async () => {
    await gradCheck({
      inputs: { x: { shape: [3, 2, 5], range: [-2, 2] }, s: { shape: [5], range: [0.5, 1.5] } },
      build: (b, v) => b.layerNorm(v.x!, v.s!, null, { epsilon: 1e-5 }),
      reference: (v) => R.layerNorm(v.x!, v.s!, null, 2, 1e-5),
    });
  });

  it('GroupNorm (decomposed through InstanceNormalization)', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 4, 3, 3], range: [-2, 2] }, s: { shape: [4], range: [0.5, 1.5] }, t: { shape: [4] } },
      build: (b, v) => b.groupNorm(v.x!, v.s!, v.t!, 2, 1e-5),
      reference: (v) => R.groupNorm(v.x!, v.s!, v.t!, 2, 1e-5),
    });
  });
});

describe('MatMul / Gemm gradient rules vs float64 finite differences', () => {
  it('MatMul batched with broadcast batch dims', async () => {
    await gradCheck({
      inputs: { a: { shape: [2, 1, 3, 4] }, w: { shape: [3, 4, 2] } },
      build: (b, v) => b.matmul(v.a!, v.w!),
      reference: (v) => R.matmul(v.a!, v.w!),
    });
  });

  it('MatMul with a shared 2-D weight', async () => {
    await gradCheck({
      inputs: { a: { shape: [2, 3, 4] }, w: { shape: [4, 5] } },
      build: (b, v) => b.matmul(v.a!, v.w!),
      reference: (v) => R.matmul(v.a!, v.w!),
    });
  });

  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`Gemm transA=${transA} transB=${transB} alpha/beta with broadcast C`, async () => {
        const o = { alpha: 0.7, beta: 1.3, transA, transB };
        await gradCheck({
          inputs: { a: { shape: transA ? [4, 3] : [3, 4] }, w: { shape: transB ? [2, 4] : [4, 2] }, c: { shape: [2] } },
          build: (b, v) => b.gemm(v.a!, v.w!, v.c!, o),
          reference: (v) => R.gemm(v.a!, v.w!, v.c!, o),
        });
      });
    }
  }
});

describe('reduction gradient rules vs float64 finite differences', () => {
  it('ReduceSum keepdims=0 over two axes', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 4] } },
      build: (b, v) => b.reduceSum(v.x!, [0, 2], false),
      reference: (v) => R.reduce(v.x!, [0, 2], false, 'sum'),
    });
  });

  it('ReduceMean keepdims=1', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 4] } },
      build: (b, v) => b.reduceMean(v.x!, [1], true),
      reference: (v) => R.reduce(v.x!, [1], true, 'mean'),
    });
  });

  it('ReduceMax', async () => {
    await gradCheck({
      inputs: { x: { shape: [3, 4] } },
      build: (b, v) => b.reduceMax(v.x!, [1], false),
      reference: (v) => R.reduce(v.x!, [1], false, 'max'),
    });
  });
});
