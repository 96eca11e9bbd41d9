import { describe, expect, test } from 'vitest';
import { createTensor, TrainState } from '../../../native-models/runtime';
import { compileTrainStep } from '../../../native-models/train/compile';
import { applyLora, loraCandidates } from '../../../native-models/train/lora';
import { X_SHAPE, buildSmallNet, randomBatch, randomWeights, withL1Loss } from './small-net';
import { compileFixtureStep, fixtureFeeds, type FixtureMode } from './train-step-fixture';
import { openSession, toFloat32Array, type Outputs } from '../../../native-models/runtime';

async function train(compiled: ReturnType<typeof compileTrainStep>, steps: number, lr: number): Promise<number[]> {
  const state = await TrainState.create(compiled.program, compiled.initialState);
  const batch = randomBatch(3);
  const data = { x: createTensor('float32', batch.x, X_SHAPE), target: createTensor('float32', batch.target, X_SHAPE) };
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await state.runStep(data, lr)).metrics['loss']!);
  await state.release();
  return losses;
}

describe('compileTrainStep', () => {
  test('one graph with params, moments and losses; a small conv net trains with Adam in-graph', async () => {
    const { builder, prediction } = buildSmallNet(randomWeights(1), () => true);
    const loss = withL1Loss(builder, prediction);
    const compiled = compileTrainStep({ builder, loss, optimizer: { variant: 'adamw', weightDecay: 1e-4 } });
    expect(compiled.parameters.map((p) => p.name)).toEqual(['net.conv1.weight', 'net.norm.scale', 'net.norm.bias', 'net.conv2.weight']);
    expect(compiled.program.data.map((d) => d.name)).toEqual(['x', 'target']);
    expect(compiled.program.state).toHaveLength(12);
    expect(compiled.program.state[1]).toEqual({ input: 'net.conv1.weight.adam_m', output: 'net.conv1.weight.adam_m.next', shape: [8, 3, 3, 3], init: 'zeros' });
    expect(compiled.program.metrics).toEqual(['loss', 'grad_norm']);
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
    const losses = await train(compiled, 30, 0.02);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(0.8 * losses[0]!);
  });

  test('LoRA-only training: frozen net, low-rank factors learn, loss falls', async () => {
    const { builder: source, prediction } = buildSmallNet(randomWeights(1), () => false);
    source.output(prediction, 'prediction');
    const lora = applyLora(source, { targets: loraCandidates(source).map((c) => ({ weight: c.weight, rank: 2 })), alpha: 2 });
    const loss = withL1Loss(lora.builder, lora.map(prediction));
    const compiled = compileTrainStep({ builder: lora.builder, loss, metrics: { doubled: lora.builder.mul(loss, 2) } });
    expect(compiled.parameters.map((p) => p.name)).toEqual([
      'net.conv1.weight.lora_a',
      'net.conv1.weight.lora_b',
      'net.conv2.weight.lora_a',
      'net.conv2.weight.lora_b',
    ]);
    // The prediction output stays, fed by the LoRA graph; data inputs are x and target only.
    expect(compiled.program.data.map((d) => d.name)).toEqual(['x', 'target']);
    const losses = await train(compiled, 30, 0.02);
    expect(losses.at(-1)!).toBeLessThan(0.9 * losses[0]!);
  });

  test('gemm-taps branch and the conv-A gradient shortcut give the generic Conv-branch gradients and updates', async () => {
    const run = async (mode: FixtureMode): Promise<Outputs> => {
      const compiled = compileFixtureStep(mode);
      const session = await openSession(compiled.program.model);
      const out = await session.run(fixtureFeeds(compiled));
      await session.release();
      return out;
    };
    const generic = await run('conv');
    const names = Object.keys(generic).filter((k) => k.endsWith('.grad') || k.endsWith('.next') || k === 'loss');
    expect(names).toContain('net.conv1.weight.lora_a.grad');
    for (const mode of ['gemm-taps', 'conv-shortcut'] as const) {
      const fast = await run(mode);
      for (const name of names) {
        const a = toFloat32Array(fast[name]!);
        const g = toFloat32Array(generic[name]!);
        const scale = Math.max(1e-6, ...g.map(Math.abs));
        if (name.endsWith('.grad')) expect(scale, name).toBeGreaterThan(1e-4);
        expect(Math.max(...a.map((v, i) => Math.abs(v - g[i]!))) / scale, `${mode} ${name}`).toBeLessThan(1e-5);
      }
    }
  });

  test('rejects non-scalar losses and half-trained builders', () => {
    const a = buildSmallNet(randomWeights(1), () => true);
    expect(() => compileTrainStep({ builder: a.builder, loss: a.prediction })).toThrow(/must be a float32 scalar, got float32\[2, 3, 8, 8\]/);
    const b = buildSmallNet(randomWeights(1), () => true);
    const loss = withL1Loss(b.builder, b.prediction);
    expect(() => compileTrainStep({ builder: b.builder, loss, trainables: [b.builder.trainables()[0]!] })).toThrow(
      /not in 'trainables' would have to be fed every step: net.norm.scale/,
    );
    const c = buildSmallNet(randomWeights(1), () => false);
    expect(() => compileTrainStep({ builder: c.builder, loss: withL1Loss(c.builder, c.prediction) })).toThrow(/nothing to train/);
  });
});
