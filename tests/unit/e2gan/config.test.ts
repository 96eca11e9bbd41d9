import { describe, expect, test } from 'vitest';
import {
  countParameters,
  discriminatorOutputShape,
  discriminatorParameters,
  discriminatorPreset,
  generatorLayers,
  generatorMacs,
  generatorParameters,
  generatorPreset,
  generatorSummary,
  loraParameterCount,
  loraPlacement,
  totalStride,
  WIDTH_PRESETS,
  type GeneratorConfig,
} from '../../../native-models/e2gan/config';

/** Small enough to count by hand (see the arithmetic in each test). */
const handConfig: GeneratorConfig = {
  height: 16,
  width: 16,
  inChannels: 3,
  outChannels: 3,
  stemChannels: 4,
  stemKernel: 3,
  downChannels: [8],
  modelChannels: 8,
  heads: 2,
  ffnMultiplier: 2,
  conceptTokens: 2,
  tokenDim: 4,
  resBlocksBefore: 2,
  resBlocksAfter: 1,
  inputSkip: false,
};

describe('generator config', () => {
  test('parameter count matches a hand count', () => {
    // stem 108+8, down 288+16, 2 res blocks 2*(2*(576+16)), down layer 576+16, transformer 840 (3 LNs 48,
    // self-attn 4*72, cross q/out 2*72 + k/v 2*40, ffn 144+136), up layer 592, res 1184, up 288+8, out 108+3
    expect(countParameters(generatorParameters(handConfig))).toBe(6403);
  });

  test('MACs match a hand count', () => {
    expect(generatorMacs(handConfig)).toBe(429_696);
  });

  test('the input skip adds one 1x1 conv (in*out weights) at full resolution, last in the layer list', () => {
    const withSkip = { ...handConfig, inputSkip: true };
    expect(countParameters(generatorParameters(withSkip))).toBe(6403 + 9);
    expect(generatorMacs(withSkip)).toBe(429_696 + 9 * 256);
    expect(generatorLayers(withSkip).at(-1)!.name).toBe('generator.skip.conv');
  });

  test('layer order and shapes follow the paper figure', () => {
    const layers = generatorLayers(handConfig);
    expect(layers.map((l) => l.name.replace('generator.', ''))).toEqual([
      'stem.conv',
      'down.0.conv',
      'res_down.0.conv1',
      'res_down.0.conv2',
      'res_down.1.conv1',
      'res_down.1.conv2',
      'down_layer.conv',
      'transformer.self_attn.q',
      'transformer.self_attn.k',
      'transformer.self_attn.v',
      'transformer.self_attn.out',
      'transformer.cross_attn.q',
      'transformer.cross_attn.k',
      'transformer.cross_attn.v',
      'transformer.cross_attn.out',
      'transformer.ffn.fc1',
      'transformer.ffn.fc2',
      'up_layer.conv',
      'res_up.0.conv1',
      'res_up.0.conv2',
      'up.0.conv',
      'out.conv',
    ]);
    const out = layers[layers.length - 1]!;
    expect([out.outHeight, out.outWidth, out.outChannels]).toEqual([16, 16, 3]);
    expect(layers.find((l) => l.name.endsWith('down_layer.conv'))!.outHeight).toBe(4);
    // Only the output conv carries a bias among convs: the others feed a norm.
    expect(layers.filter((l) => l.kind === 'conv' && l.bias).map((l) => l.name)).toEqual(['generator.out.conv']);
  });

  test('every preset fits the mobile budget and any multiple of the total stride works', () => {
    for (const preset of WIDTH_PRESETS) {
      const config = generatorPreset(preset);
      expect(countParameters(generatorParameters(config))).toBeLessThanOrEqual(10_000_000);
    }
    const config = generatorPreset('tiny', { height: 64, width: 96 });
    expect(totalStride(config)).toBe(8);
    const layers = generatorLayers(config);
    expect([layers.at(-1)!.outHeight, layers.at(-1)!.outWidth]).toEqual([64, 96]);
  });

  test('bad configs are rejected with the field named', () => {
    expect(() => generatorPreset('tiny', { height: 100 })).toThrow(/100 must be a multiple of the total stride 8|size 256x100/);
    expect(() => generatorPreset('tiny', { heads: 3 })).toThrow(/modelChannels 64 is not divisible by heads 3/);
    expect(() => generatorPreset('tiny', { stemKernel: 4 })).toThrow(/'stemKernel': expected an odd/);
    expect(() => generatorPreset('tiny', { downChannels: [] })).toThrow(/'downChannels'/);
    expect(() => generatorPreset('huge' as never)).toThrow(/unknown width preset 'huge'/);
  });
});

describe('LoRA placement', () => {
  test('covers the paper groups, skips ResNet blocks, and counts parameters by hand', () => {
    const placement = loraPlacement(handConfig, 2);
    expect(placement.some((p) => p.layer.includes('res_'))).toBe(false);
    expect(new Set(placement.map((p) => p.group))).toEqual(new Set(['down-stage', 'down-layer', 'transformer', 'up-layer', 'up-stage']));
    // conv: r*(in*k*k + out); linear: r*(in + out). stem 62, down 88, down layer 160, self 4*32, cross q/out 2*32,
    // cross k/v 2*24, ffn 48+48, up layer 160, up 152, out 78.
    expect(loraParameterCount(handConfig, placement)).toBe(1036);
  });

  test('per-layer ranks: unlisted layers get none, frozen or unknown layers are errors', () => {
    const placement = loraPlacement(handConfig, { 'generator.down_layer.conv': 3, 'generator.transformer.ffn.fc1': 1 });
    expect(placement.map((p) => [p.layer, p.rank])).toEqual([
      ['generator.down_layer.conv', 3],
      ['generator.transformer.ffn.fc1', 1],
    ]);
    expect(() => loraPlacement(handConfig, { 'generator.res_down.0.conv1': 2 })).toThrow(/ResNet-block layer that stays frozen/);
    expect(() => loraPlacement(handConfig, { 'generator.nope': 2 })).toThrow(/unknown layer 'generator.nope'/);
    expect(() => loraPlacement(handConfig, -1)).toThrow(/expected an integer >= 0, got -1/);
  });

  test('base preset with rank 6 lands near the paper budget (0.092M, about 1-3% of the generator)', () => {
    const config = generatorPreset('base');
    const summary = generatorSummary(config, loraPlacement(config, 6));
    expect(summary.loraParameters).toBeGreaterThan(60_000);
    expect(summary.loraParameters).toBeLessThan(120_000);
    expect(summary.loraParameters / summary.parameters).toBeLessThan(0.05);
  });

  test('unmerged LoRA adds the branch MACs', () => {
    const placement = loraPlacement(handConfig, { 'generator.out.conv': 1 });
    // out conv at 16x16: rank 1 * (4*3*3 + 3) per position
    expect(generatorMacs(handConfig, placement) - generatorMacs(handConfig)).toBe(39 * 256);
  });
});

describe('discriminator config', () => {
  test('PatchGAN 70x70 on 256x256 gives a 30x30 patch map; parameters counted by hand on a tiny width', () => {
    expect(discriminatorOutputShape(discriminatorPreset('base'))).toEqual([30, 30]);
    const tiny = discriminatorPreset('tiny', { height: 32, width: 32, baseChannels: 2 });
    // 6->2 (s2, bias) 192+2; 2->4 (s2) 128 + norm 8; 4->8 (s2) 512 + 16; 8->16 (s1) 2048 + 32; 16->1 (s1) 256 + 1
    expect(countParameters(discriminatorParameters(tiny))).toBe(194 + 136 + 528 + 2080 + 257);
    expect(discriminatorOutputShape(tiny)).toEqual([2, 2]);
    expect(() => discriminatorPreset('tiny', { height: 8, width: 8 })).toThrow(/too small/);
  });
});
