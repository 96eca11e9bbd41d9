import { describe, it } from 'vitest';
import { attr } from '../../../native-models/onnx';
import { gradCheck } from './gradcheck';
import * as R from './reference/tensor64';

describe('data-movement gradient rules vs float64 finite differences', () => {
  it('Reshape', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 4] } },
      build: (b, v) => b.mul(b.reshape(v.x!, [4, -1]), b.reshape(v.x!, [4, 6])),
      reference: (v) => ({ shape: [4, 6], data: v.x!.data.map((q) => q * q) }),
    });
  });

  it('Squeeze / Unsqueeze / Flatten', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 1, 3] } },
      build: (b, v) => b.flatten(b.unsqueeze(b.exp(b.squeeze(v.x!, [1])), [0]), 2),
      reference: (v) => ({ shape: [2, 3], data: v.x!.data.map(Math.exp) }),
    });
  });

  it('Transpose', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 3, 4] } },
      build: (b, v) => b.transpose(v.x!, [2, 0, 1]),
      reference: (v) => R.transpose(v.x!, [2, 0, 1]),
    });
  });

  it('Expand', async () => {
    await gradCheck({
      inputs: { x: { shape: [3, 1] } },
      build: (b, v) => b.expand(v.x!, [2, 3, 4]),
      reference: (v) => R.zip((q) => q, v.x!, { shape: [2, 3, 4], data: new Float64Array(24) }),
    });
  });

  it('Concat (three inputs, middle axis)', async () => {
    await gradCheck({
      inputs: { a: { shape: [2, 1, 3] }, c: { shape: [2, 3, 3] }, d: { shape: [2, 2, 3] } },
      build: (b, v) => b.concat([v.a!, v.c!, v.d!], 1),
      reference: (v) => R.concat([v.a!, v.c!, v.d!], 1),
    });
  });

  it('Split (one output unused)', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 6] } },
      build: (b, v) => {
        const [p, , r] = b.split(v.x!, [1, 2, 3], 1);
        return b.concat([b.mul(p!, 2), r!], 1);
      },
      reference: (v) => {
        const [p, r] = [R.slice(v.x!, [0], [1], [1], [1]), R.slice(v.x!, [3], [6], [1], [1])];
        return R.concat([R.map(p, (q) => 2 * q), r], 1);
      },
    });
  });

  const slices: [string, number[], number[], number[], number[]][] = [
    ['contiguous', [1, 0], [3, -1], [1, 2], [1, 1]],
    ['strided', [0, 1], [5, 7], [1, 2], [2, 3]],
    ['negative step', [-1, 5], [Number.MIN_SAFE_INTEGER, 0], [1, 2], [-2, -2]],
  ];
  for (const [name, starts, ends, axes, steps] of slices) {
    it(`Slice ${name}`, async () => {
      await gradCheck({
        inputs: { x: { shape: [2, 5, 7] } },
        build: (b, v) => b.slice(v.x!, { starts, ends, axes, steps }),
        reference: (v) => R.slice(v.x!, starts, ends, axes, steps),
      });
    });
  }

  for (const mode of ['constant', 'reflect', 'edge'] as const) {
    it(`Pad ${mode}`, async () => {
      const pads = [0, 0, 2, 1, 0, 0, 1, 2];
      await gradCheck({
        inputs: { x: { shape: [1, 2, 4, 3] } },
        build: (b, v) => b.pad(v.x!, pads, { mode, value: 0.5 }),
        reference: (v) => R.pad(v.x!, pads, mode, 0.5),
      });
    });
  }

  for (const mode of ['DCR', 'CRD'] as const) {
    it(`DepthToSpace ${mode}`, async () => {
      await gradCheck({
        inputs: { x: { shape: [1, 8, 2, 3] } },
        build: (b, v) => b.depthToSpace(v.x!, 2, mode),
        reference: (v) => R.depthToSpace(v.x!, 2, mode),
      });
    });
  }

  it('SpaceToDepth (builder form: Reshape/Transpose)', async () => {
    await gradCheck({
      inputs: { x: { shape: [1, 2, 4, 6] } },
      build: (b, v) => b.spaceToDepth(v.x!, 2),
      reference: (v) => R.spaceToDepth(v.x!, 2),
    });
  });

  it('SpaceToDepth (the ONNX op, emitted directly)', async () => {
    await gradCheck({
      inputs: { x: { shape: [1, 2, 4, 6] } },
      build: (b, v) => b.emit('SpaceToDepth', [v.x!], [attr.int('blocksize', 2)], [{ dtype: 'float32', shape: [1, 8, 2, 3] }])[0]!,
      reference: (v) => R.spaceToDepth(v.x!, 2),
    });
  });
});

describe('Resize gradient rule vs float64 finite differences', () => {
  const cases = [
    { name: 'nearest 2x asymmetric floor (replication fast path)', mode: 'nearest', ctm: 'asymmetric', nearestMode: 'floor', scales: [2, 2] },
    { name: 'nearest 2x half_pixel round_prefer_floor', mode: 'nearest', ctm: 'half_pixel', nearestMode: 'round_prefer_floor', scales: [2, 2] },
    { name: 'nearest 1.5x half_pixel round_prefer_ceil', mode: 'nearest', ctm: 'half_pixel', nearestMode: 'round_prefer_ceil', scales: [1.5, 1.5] },
    { name: 'bilinear 2x half_pixel', mode: 'linear', ctm: 'half_pixel', scales: [2, 2] },
    { name: 'bilinear 2x align_corners', mode: 'linear', ctm: 'align_corners', scales: [2, 2] },
    { name: 'bilinear downscale 0.5 pytorch_half_pixel', mode: 'linear', ctm: 'pytorch_half_pixel', scales: [0.5, 0.5] },
    { name: 'bilinear to sizes 5x7 asymmetric', mode: 'linear', ctm: 'asymmetric', sizes: [5, 7] },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const x = [1, 2, 4, 4];
      const [outH, outW] = 'sizes' in c ? c.sizes : [Math.floor(4 * c.scales[0]), Math.floor(4 * c.scales[1])];
      await gradCheck({
        inputs: { x: { shape: x } },
        build: (b, v) =>
          b.resize(v.x!, {
            ...('sizes' in c ? { sizes: [1, 2, ...c.sizes] } : { scales: [1, 1, ...c.scales] }),
            mode: c.mode,
            coordinateTransformationMode: c.ctm,
            ...('nearestMode' in c ? { nearestMode: c.nearestMode } : {}),
          }),
        reference: (v) =>
          R.resize2d(v.x!, outH, outW, {
            mode: c.mode,
            ctm: c.ctm,
            ...('nearestMode' in c ? { nearestMode: c.nearestMode } : {}),
            ...('scales' in c ? { scales: [c.scales[0], c.scales[1]] as [number, number] } : {}),
          }),
      });
    });
  }
});
