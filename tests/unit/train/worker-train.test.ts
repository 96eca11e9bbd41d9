import { afterAll, describe, expect, test } from 'vitest';
import { threadId } from 'node:worker_threads';
import { ComputeClient, TrainState, createTensor } from '../../../native-models/runtime';
import { X_SHAPE, randomBatch } from './small-net';
import { compileFixtureStep } from './train-step-fixture';

describe('compiled LoRA train step in the compute worker', () => {
  const client = ComputeClient.start();
  afterAll(() => client.terminate());

  test('runs off the main thread, loss falls, and matches the same steps run in-process', async () => {
    expect((await client.ping()).threadId).not.toBe(threadId);
    const compiled = compileFixtureStep();
    const batch = randomBatch(3);
    const steps = 8;

    const loaded = await client.loadTrainStep(compiled.program, compiled.initialState);
    const workerLosses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const result = await client.trainStep(
        loaded.stateId,
        { x: { dtype: 'float32', dims: X_SHAPE, data: batch.x }, target: { dtype: 'float32', dims: X_SHAPE, data: batch.target } },
        0.02,
      );
      expect(result.step).toBe(i + 1);
      workerLosses.push(result.metrics['loss']!);
    }
    const names = compiled.parameters.map((p) => p.name);
    const workerParams = await client.readState(loaded.stateId, names);
    await client.releaseState(loaded.stateId);
    expect(workerLosses.at(-1)!).toBeLessThan(workerLosses[0]!);

    const local = await TrainState.create(compiled.program, compiled.initialState);
    const data = { x: createTensor('float32', batch.x, X_SHAPE), target: createTensor('float32', batch.target, X_SHAPE) };
    const localLosses: number[] = [];
    for (let i = 0; i < steps; i++) localLosses.push((await local.runStep(data, 0.02)).metrics['loss']!);
    const localParams = await local.read(names);
    await local.release();
    workerLosses.forEach((loss, i) => expect(loss).toBeCloseTo(localLosses[i]!, 5));
    for (const name of names) {
      const w = workerParams[name]!;
      const l = localParams[name]!;
      expect(Math.max(...w.map((v, i) => Math.abs(v - l[i]!))), name).toBeLessThan(1e-5);
    }
  });
});
