import { describe, it } from 'vitest';
import type { ConvWeightGradStrategy, ConvInputGradStrategy } from '../../../native-models/autodiff';
import { gradCheck } from './gradcheck';
import * as R from './reference/tensor64';

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
  bias?: boolean;
}

const convCases: ConvCase[] = [
  { name: '3x3 stride 1 pad 1 with bias', x: [2, 3, 5, 5], w: [4, 3, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, bias: true },
  { name: '3x3 stride 2 pad 1 (odd input)', x: [1, 2, 7, 6], w: [3, 2, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
  { name: '4x4 stride 2 asymmetric pads', x: [1, 2, 6, 6], w: [2, 2, 4, 4], strides: [2, 2], pads: [1, 2, 2, 1], dilations: [1, 1], group: 1 },
  { name: 'dilation 2, stride (1, 2)', x: [1, 2, 7, 7], w: [3, 2, 3, 3], strides: [1, 2], pads: [2, 1, 2, 1], dilations: [2, 2], group: 1 },
  { name: 'groups 2', x: [2, 4, 5, 5], w: [6, 2, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 2 },
  { name: 'depthwise stride 2', x: [1, 3, 6, 6], w: [3, 1, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 3 },
  {
    name: 'C_out < C_in (LoRA-like down-projection) stride 2, pads crop the frame',
    x: [2, 6, 8, 7],
    w: [2, 6, 3, 3],
    strides: [2, 2],
    pads: [1, 0, 0, 1],
    dilations: [1, 1],
    group: 1,
  },
  {
    name: 'C_out < C_in stride 1 (dW by the swapped conv)',
    x: [2, 5, 6, 5],
    w: [2, 5, 3, 3],
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilations: [1, 1],
    group: 1,
  },
  {
    name: 'C_out < C_in stride 1, 5x5 kernel, asymmetric pads',
    x: [1, 4, 7, 6],
    w: [3, 4, 5, 5],
    strides: [1, 1],
    pads: [2, 1, 3, 2],
    dilations: [1, 1],
    group: 1,
  },
  { name: '1x1 pointwise', x: [2, 3, 3, 4], w: [5, 3, 1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 },
];

const strategies: { weight: ConvWeightGradStrategy; input: ConvInputGradStrategy }[] = [
  { weight: 'taps', input: 'auto' },
  { weight: 'conv', input: 'convTranspose' },
  { weight: 'taps', input: 'flippedConv' },
  { weight: 'shifts', input: 'auto' },
  { weight: 'auto', input: 'auto' },
];

describe('Conv gradient rule vs float64 finite differences', () => {
  for (const c of convCases) {
    for (const s of strategies) {
      it(`${c.name} (dW ${s.weight}, dX ${s.input})`, async () => {
        await gradCheck({
          inputs: { x: { shape: c.x }, w: { shape: c.w }, ...(c.bias ? { bias: { shape: [c.w[0]!] } } : {}) },
          build: (b, v) => b.conv(v.x!, v.w!, v.bias ?? null, { strides: c.strides, pads: c.pads, dilations: c.dilations, group: c.group }),
          reference: (v) => R.conv2d(v.x!, v.w!, v.bias ?? null, c),
          options: { convWeightGrad: s.weight, convInputGrad: s.input },
        });
      });
    }
  }

  it('frozen (constant) weight: dX through the precomputed flipped kernel', async () => {
    for (const c of [convCases[0]!, convCases[4]!, convCases[3]!]) {
      await gradCheck({
        inputs: { x: { shape: c.x }, w: { shape: c.w, frozen: true } },
        build: (b, v) => b.conv(v.x!, v.w!, null, c),
        reference: (v) => R.conv2d(v.x!, v.w!, null, c),
      });
    }
  });
});

describe('ConvTranspose gradient rule vs float64 finite differences', () => {
  const cases = [
    {
      name: 'stride 2 pad 1 output_padding 1 with bias',
      x: [1, 3, 3, 4],
      w: [3, 2, 3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      outputPadding: [1, 1],
      dilations: [1, 1],
      group: 1,
      bias: true,
    },
    { name: '4x4 stride 2 pad 1', x: [2, 2, 3, 3], w: [2, 3, 4, 4], strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [0, 0], dilations: [1, 1], group: 1 },
    { name: 'groups 2, dilation 2', x: [1, 4, 3, 3], w: [4, 1, 3, 3], strides: [1, 1], pads: [1, 0, 1, 2], outputPadding: [0, 0], dilations: [2, 2], group: 2 },
  ] as const;
  for (const c of cases) {
    for (const weight of ['taps', 'shifts', 'conv'] as const) {
      it(`${c.name} (dW ${weight})`, async () => {
        const geo = {
          strides: [...c.strides] as [number, number],
          pads: [...c.pads] as [number, number, number, number],
          dilations: [...c.dilations] as [number, number],
          group: c.group,
          outputPadding: [...c.outputPadding] as [number, number],
        };
        await gradCheck({
          inputs: { x: { shape: [...c.x] }, w: { shape: [...c.w] }, ...('bias' in c ? { bias: { shape: [c.w[1] * c.group] } } : {}) },
          build: (b, v) => b.convTranspose(v.x!, v.w!, v.bias ?? null, geo),
          reference: (v) => R.convTranspose2d(v.x!, v.w!, v.bias ?? null, geo),
          options: { convWeightGrad: weight },
        });
      });
    }
  }
});
