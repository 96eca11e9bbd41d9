import { describe, expect, test } from 'vitest';
import { createTensor, openSession, toFloat32Array, TrainState } from '../../../native-models/runtime';
import { runWebgpuScenario, webgpuAvailability } from '../runtime/webgpu-env';
import { X_SHAPE, randomBatch } from './small-net';
import { compileFixtureStep, fixtureFeeds } from './train-step-fixture';

const child = new URL('./webgpu-train-child.ts', import.meta.url);
const webgpu = webgpuAvailability(child);

interface GpuResults {
  step: { provider: string; outputs: Record<string, number[]> };
  train: { provider: string; stateOnDevice: boolean; losses: number[]; params: Record<string, number[]> };
}
let gpuResults: GpuResults | undefined;
const gpuRun = (): GpuResults => (gpuResults ??= runWebgpuScenario<GpuResults>(child, 'both', 300_000));

/** max |a - b| / max(1e-3, max |b|): relative to each tensor's scale, robust to near-zero elements. */
function scaledDiff(a: readonly number[], b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-3;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('train step on the WebGPU EP matches the CPU EP', () => {
  test.skipIf(!webgpu.available)('gradients, new params, moments and loss of one step agree', async () => {
    const gpu = gpuRun().step;
    expect(gpu.provider).toBe('webgpu');
    const compiled = compileFixtureStep();
    const session = await openSession(compiled.program.model);
    const cpu = await session.run(fixtureFeeds(compiled));
    await session.release();
    const grads = Object.keys(cpu).filter((k) => k.endsWith('.grad'));
    expect(grads).toHaveLength(6);
    expect(Object.keys(gpu.outputs).sort()).toEqual(Object.keys(cpu).sort());
    let worst = 0;
    for (const name of Object.keys(cpu)) {
      const tolerance = name.endsWith('.grad') || name === 'loss' || name === 'grad_norm' ? 1e-4 : 1e-3;
      const diff = scaledDiff(gpu.outputs[name]!, toFloat32Array(cpu[name]!));
      worst = Math.max(worst, diff);
      expect(diff, name).toBeLessThan(tolerance);
    }
    console.log(`[webgpu] one LoRA train step, ${Object.keys(cpu).length} outputs: worst scaled |gpu - cpu| = ${worst.toExponential(2)}`);
  });

  test.skipIf(!webgpu.available)('five steps with state kept on the device follow the CPU run', async () => {
    const gpu = gpuRun().train;
    expect(gpu.provider).toBe('webgpu');
    expect(gpu.stateOnDevice).toBe(true);
    const compiled = compileFixtureStep();
    const state = await TrainState.create(compiled.program, compiled.initialState);
    const batch = randomBatch(3);
    const data = { x: createTensor('float32', batch.x, X_SHAPE), target: createTensor('float32', batch.target, X_SHAPE) };
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) losses.push((await state.runStep(data, 0.02)).metrics['loss']!);
    const params = await state.read(compiled.parameters.map((p) => p.name));
    await state.release();
    expect(scaledDiff(gpu.losses, losses)).toBeLessThan(1e-4);
    for (const [name, values] of Object.entries(params)) expect(scaledDiff(gpu.params[name]!, values), name).toBeLessThan(1e-3);
  });
});
