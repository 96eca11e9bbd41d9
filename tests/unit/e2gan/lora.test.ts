import { expect, test } from 'vitest';
import { GraphBuilder } from '../../../native-models/graph';
import { createTensor, openSession, toFloat32Array } from '../../../native-models/runtime';
import { generatorPreset, loraPlacement, type LoraPlacement } from '../../../native-models/e2gan/config';
import { buildGenerator } from '../../../native-models/e2gan/generator';
import { initLoraWeights, mergeLora } from '../../../native-models/e2gan/lora';
import { initConceptTokens, initGeneratorWeights, type Weights } from '../../../native-models/e2gan/weights';
import { createRng } from '../../../native-models/util/rng';

const config = generatorPreset('tiny', {
  height: 16,
  width: 16,
  stemChannels: 4,
  downChannels: [8],
  modelChannels: 8,
  heads: 2,
  tokenDim: 6,
  conceptTokens: 3,
});

async function runGenerator(weights: Weights, lora: readonly LoraPlacement[] | undefined, x: Float32Array, tokens: Float32Array): Promise<Float32Array> {
  const g = new GraphBuilder('generator');
  const xi = g.input('x', 'float32', [2, 3, 16, 16]);
  const ti = g.input('tokens', 'float32', [3, 6]);
  g.output(buildGenerator(g, config, xi, ti, lora ? { weights, lora } : { weights }), 'y');
  const session = await openSession(g.build(), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const out = await session.run({ x: createTensor('float32', x, [2, 3, 16, 16]), tokens: createTensor('float32', tokens, [3, 6]) });
  await session.release();
  return toFloat32Array(out.y!);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

test('merged LoRA weights give the same output as the parallel branch (max abs diff <= 1e-5)', async () => {
  const base = initGeneratorWeights(config, 1);
  // Non-default alpha and every eligible layer (convs with stride 2, 7x7 stem, linears, cross-attn k/v).
  const placement = loraPlacement(config, 3, 1.5);
  const lora = initLoraWeights(config, placement, 2);
  const rng = createRng(9);
  for (const [name, data] of lora) if (name.endsWith('.lora_b')) for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.1;
  const x = Float32Array.from({ length: 2 * 3 * 16 * 16 }, () => rng.range(-1, 1));
  const tokens = initConceptTokens(config, 3);
  const branch = await runGenerator(new Map([...base, ...lora]), placement, x, tokens);
  const merged = await runGenerator(mergeLora(config, base, placement, lora), undefined, x, tokens);
  const plain = await runGenerator(base, undefined, x, tokens);
  expect(maxAbsDiff(branch, plain)).toBeGreaterThan(1e-3); // the LoRA really changes the output...
  expect(maxAbsDiff(branch, merged)).toBeLessThanOrEqual(1e-5); // ...and merging reproduces it
});

test('freshly initialised LoRA (B = 0) leaves the generator unchanged', async () => {
  const base = initGeneratorWeights(config, 1);
  const placement = loraPlacement(config, 2);
  const x = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i));
  const tokens = initConceptTokens(config, 3);
  const adapted = await runGenerator(new Map([...base, ...initLoraWeights(config, placement, 5)]), placement, x, tokens);
  expect(maxAbsDiff(adapted, await runGenerator(base, undefined, x, tokens))).toBeLessThanOrEqual(1e-6);
});

test('mergeLora rejects LoRA tensors that do not fit the placement', () => {
  const placement = loraPlacement(config, 2);
  const lora = initLoraWeights(config, placement, 5);
  lora.set('generator.stem.conv.lora_a', new Float32Array(3));
  expect(() => mergeLora(config, initGeneratorWeights(config, 1), placement, lora)).toThrow(/'generator\.stem\.conv\.lora_a' has 3 values/);
});
