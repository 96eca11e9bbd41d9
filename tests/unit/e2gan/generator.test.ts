import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../../native-models/graph';
import { createTensor, openSession, toFloat32Array } from '../../../native-models/runtime';
import {
  countParameters,
  discriminatorOutputShape,
  discriminatorParameters,
  discriminatorPreset,
  generatorParameters,
  generatorPreset,
  type GeneratorConfig,
} from '../../../native-models/e2gan/config';
import { buildDiscriminator, buildGenerator } from '../../../native-models/e2gan/generator';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights } from '../../../native-models/e2gan/weights';
import { createRng } from '../../../native-models/util/rng';

const config: GeneratorConfig = generatorPreset('tiny', {
  height: 16,
  width: 24,
  stemChannels: 4,
  downChannels: [8],
  modelChannels: 8,
  heads: 2,
  tokenDim: 6,
  conceptTokens: 3,
});

function randomInput(n: number, c: number, h: number, w: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * c * h * w }, () => rng.range(-1, 1));
}

describe('generator graph', () => {
  const tanhConfig: GeneratorConfig = { ...config, head: 'tanh', unetSkips: false, tokenFilm: false };
  test.each([
    ['colour-matrix head, U-Net skips, FiLM', config],
    ['tanh head (the paper figure)', tanhConfig],
  ])('%s: emits exactly the config parameters and runs with the expected output shape', async (_label, cfg) => {
    const g = new GraphBuilder('generator');
    const x = g.input('x', 'float32', [2, 3, 16, 24]);
    const tokens = g.input('tokens', 'float32', [3, 6]);
    const recorded: Array<[string, string]> = [];
    const y = buildGenerator(g, cfg, x, tokens, { weights: initGeneratorWeights(cfg, 1) }, (name, shape) => recorded.push([name, shape.join('x')]));
    g.output(y, 'y');
    expect(y.shape).toEqual([2, 3, 16, 24]);
    // Same names, same shapes, same order as the config's parameter table: counts derive from the graph.
    expect(recorded).toEqual(generatorParameters(cfg).map((p) => [p.name, p.shape.join('x')]));
    const session = await openSession(g.build(), { executionProviders: ['cpu'] });
    const out = await session.run({
      x: createTensor('float32', randomInput(2, 3, 16, 24, 2), [2, 3, 16, 24]),
      tokens: createTensor('float32', initConceptTokens(cfg, 3), [3, 6]),
    });
    await session.release();
    const values = toFloat32Array(out.y!);
    expect(out.y!.dims).toEqual([2, 3, 16, 24]);
    // The tanh head is bounded; the colour-matrix head is not (export clamps it).
    expect(values.every((v) => Number.isFinite(v) && (cfg.head !== 'tanh' || (v > -1 && v < 1)))).toBe(true);
    // Not a constant map: the network actually depends on its input.
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(1e-3);
  });

  async function runGenerator(cfg: GeneratorConfig, weights: Map<string, Float32Array>, input: Float32Array): Promise<Float32Array> {
    const g = new GraphBuilder('generator');
    const x = g.input('x', 'float32', [1, 3, 16, 24]);
    const tokens = g.input('tokens', 'float32', [3, 6]);
    g.output(buildGenerator(g, cfg, x, tokens, { weights }), 'y');
    const session = await openSession(g.build(), { executionProviders: ['cpu'] });
    const out = await session.run({ x: createTensor('float32', input, [1, 3, 16, 24]), tokens: createTensor('float32', initConceptTokens(cfg, 3), [3, 6]) });
    await session.release();
    return toFloat32Array(out.y!);
  }

  /** Silences everything but the global 1x1 skip (W) and the colour head's bias (M, b constant over the image). */
  function colourOnlyWeights(cfg: GeneratorConfig, skip: number[], matrix: number[], offset: number[]): Map<string, Float32Array> {
    const weights = initGeneratorWeights(cfg, 7);
    weights.get('generator.out.conv.weight')!.fill(0);
    weights.get('generator.out.conv.bias')!.fill(0);
    weights.get('generator.colour.conv.weight')!.fill(0);
    weights.get('generator.colour.film.weight')!.fill(0);
    weights.get('generator.colour.film.bias')!.fill(0);
    weights.set('generator.skip.conv.weight', Float32Array.from(skip));
    weights.set('generator.colour.conv.bias', Float32Array.from([...matrix, ...offset]));
    return weights;
  }

  test('colour-matrix head: y = W·x + M·x + b exactly, with M indexed [out][in] (checked against plain arithmetic)', async () => {
    const w = [0.9, 0.1, 0.0, 0.2, 0.7, 0.1, -0.1, 0.0, 1.1];
    const m = [0.05, -0.3, 0.2, 0.1, 0.0, -0.2, 0.3, 0.25, -0.15];
    const b = [0.1, -0.05, 0.2];
    const input = randomInput(1, 3, 16, 24, 9);
    const y = await runGenerator(config, colourOnlyWeights(config, w, m, b), input);
    const plane = 16 * 24;
    let worst = 0;
    for (let p = 0; p < plane; p++) {
      for (let i = 0; i < 3; i++) {
        let expected = b[i]!;
        for (let j = 0; j < 3; j++) expected += (w[i * 3 + j]! + m[i * 3 + j]!) * input[j * plane + p]!;
        worst = Math.max(worst, Math.abs(y[i * plane + p]! - expected));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  test('a fresh colour-matrix generator is the identity map', async () => {
    const input = randomInput(1, 3, 16, 24, 11);
    const y = await runGenerator(config, initGeneratorWeights(config, 1), input);
    expect(Math.max(...y.map((v, i) => Math.abs(v - input[i]!)))).toBeLessThan(1e-5);
  });

  test('the concept tokens change the output (cross-attention is wired in)', async () => {
    const g = new GraphBuilder('generator');
    const x = g.input('x', 'float32', [1, 3, 16, 24]);
    const tokens = g.input('tokens', 'float32', [3, 6]);
    // A trained generator: the zero-initialised heads have moved (a fresh one is exactly the identity).
    const weights = initGeneratorWeights(config, 1);
    const rng = createRng(12);
    for (const name of ['generator.out.conv.weight', 'generator.colour.conv.weight'])
      weights.set(
        name,
        weights.get(name)!.map(() => rng.range(-0.1, 0.1)),
      );
    g.output(buildGenerator(g, config, x, tokens, { weights }), 'y');
    const session = await openSession(g.build(), { executionProviders: ['cpu'] });
    const input = createTensor('float32', randomInput(1, 3, 16, 24, 4), [1, 3, 16, 24]);
    const a = toFloat32Array((await session.run({ x: input, tokens: createTensor('float32', initConceptTokens(config, 5), [3, 6]) })).y!);
    const b = toFloat32Array((await session.run({ x: input, tokens: createTensor('float32', initConceptTokens(config, 6), [3, 6]) })).y!);
    await session.release();
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-6)).toBe(true);
  });

  test('trainable parameters become graph inputs, frozen ones stay initializers', () => {
    const g = new GraphBuilder('generator');
    const x = g.input('x', 'float32', [1, 3, 16, 24]);
    const tokens = g.input('tokens', 'float32', [3, 6]);
    buildGenerator(g, config, x, tokens, { weights: initGeneratorWeights(config, 1), trainable: (n) => n.startsWith('generator.transformer.') });
    const trainable = g.trainables().map((v) => v.name);
    expect(trainable.length).toBeGreaterThan(0);
    expect(trainable.every((n) => n.startsWith('generator.transformer.'))).toBe(true);
  });

  test('a wrong weight shape is an error naming the tensor', () => {
    const g = new GraphBuilder('generator');
    const weights = initGeneratorWeights(config, 1);
    weights.set('generator.down.0.conv.weight', new Float32Array(5));
    expect(() => buildGenerator(g, config, g.input('x', 'float32', [1, 3, 16, 24]), g.input('tokens', 'float32', [3, 6]), { weights })).toThrow(
      /'generator\.down\.0\.conv\.weight' has 5 values/,
    );
  });
});

describe('discriminator graph', () => {
  test('conditional PatchGAN: patch logits of the configured shape from exactly the config parameters', async () => {
    const dConfig = discriminatorPreset('tiny', { height: 32, width: 32, baseChannels: 4 });
    const g = new GraphBuilder('discriminator');
    const input = g.input('input', 'float32', [2, 3, 32, 32]);
    const candidate = g.input('candidate', 'float32', [2, 3, 32, 32]);
    let recorded = 0;
    const logits = buildDiscriminator(g, dConfig, input, candidate, { weights: initDiscriminatorWeights(dConfig, 1) }, (_n, shape) => {
      recorded += shape.reduce((a, b) => a * b, 1);
    });
    g.output(logits, 'logits');
    expect(recorded).toBe(countParameters(discriminatorParameters(dConfig)));
    expect(logits.shape).toEqual([2, 1, ...discriminatorOutputShape(dConfig)]);
    const session = await openSession(g.build(), { executionProviders: ['cpu'] });
    const out = await session.run({
      input: createTensor('float32', randomInput(2, 3, 32, 32, 1), [2, 3, 32, 32]),
      candidate: createTensor('float32', randomInput(2, 3, 32, 32, 2), [2, 3, 32, 32]),
    });
    await session.release();
    expect(out.logits!.dims).toEqual([2, 1, 2, 2]);
    expect(toFloat32Array(out.logits!).every(Number.isFinite)).toBe(true);
  });
});
