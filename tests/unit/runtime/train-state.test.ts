import { afterAll, describe, expect, test } from 'vitest';
import { threadId } from 'node:worker_threads';
import { ComputeClient, ComputeWorkerError } from '../../../native-models/runtime/compute-client';
import { SessionCache, graphHash } from '../../../native-models/runtime/session-cache';
import { tensorFromValues } from '../../../native-models/runtime/tensor';
import { TrainState } from '../../../native-models/runtime/train-state';
import { momentumReference, momentumStepProgram } from './step-fixture';

const p0 = [1, -2, 0.5];
const xs = [
  [0.1, 0.2, -0.3],
  [1, -1, 0.25],
  [-0.5, 0.5, 2],
];
const lr = 0.1;

describe('TrainState', () => {
  test('feeds outputs back as inputs, counts steps from 1, reads state and metrics', async () => {
    const program = momentumStepProgram(3);
    const state = await TrainState.create(program, { p: Float32Array.from(p0) });
    expect(state.executionProvider).toBe('cpu');
    const totals: number[] = [];
    for (const [i, x] of xs.entries()) {
      const result = await state.runStep({ x: tensorFromValues('float32', x, [3]) }, lr);
      expect(result.step).toBe(i + 1);
      expect(result.metrics['step_seen']).toBe(i + 1);
      totals.push(result.metrics['total']!);
    }
    const reference = momentumReference(p0, xs, lr);
    const values = await state.read();
    for (const [i, v] of values['p']!.entries()) expect(v).toBeCloseTo(reference.p[i]!, 5);
    for (const [i, v] of values['m']!.entries()) expect(v).toBeCloseTo(reference.m[i]!, 5);
    for (const [i, v] of totals.entries()) expect(v).toBeCloseTo(reference.totals[i]!, 5);
    await state.release();
    await expect(state.runStep({}, lr)).rejects.toThrow(/after release/);
  });

  test('resuming from read() state and startStep continues exactly like an uninterrupted run', async () => {
    const program = momentumStepProgram(3);
    const straight = await TrainState.create(program, { p: Float32Array.from(p0) });
    for (const x of xs) await straight.runStep({ x: tensorFromValues('float32', x, [3]) }, lr);
    const expected = await straight.read();
    await straight.release();

    const first = await TrainState.create(program, { p: Float32Array.from(p0) });
    for (const x of xs.slice(0, 2)) await first.runStep({ x: tensorFromValues('float32', x, [3]) }, lr);
    const checkpoint = await first.read();
    await first.release();
    const resumed = await TrainState.create(program, checkpoint, { startStep: 2 });
    const last = await resumed.runStep({ x: tensorFromValues('float32', xs[2]!, [3]) }, lr);
    expect(last.step).toBe(3);
    expect(last.metrics['step_seen']).toBe(3);
    expect(await resumed.read()).toEqual(expected);
    expect(Array.from(resumed.peek('p').data as Float32Array)).toEqual(Array.from(expected['p']!));
    await resumed.release();
    await expect(TrainState.create(program, { p: new Float32Array(2) })).rejects.toThrow(/'p' has 2 values, expected \[3\] = 3/);
    await expect(TrainState.create(program, { p: new Float32Array(3) }, { startStep: -1 })).rejects.toThrow(/startStep must be an integer >= 0/);
  });

  test('rejects programs and initial values that do not match the graph', async () => {
    const program = momentumStepProgram(3);
    await expect(TrainState.create(program, {})).rejects.toThrow(/no initial value for 'p'/);
    await expect(TrainState.create(program, { p: new Float32Array(3), q: new Float32Array(1) })).rejects.toThrow(/unknown state: q/);
    await expect(TrainState.create({ ...program, metrics: ['loss'] }, { p: new Float32Array(3) })).rejects.toThrow(/missing outputs \[loss\]/);
    const state = await TrainState.create(program, { p: new Float32Array(3) });
    await expect(state.runStep({}, lr)).rejects.toThrow(/batch is missing 'x'/);
    await expect(state.read(['nope'])).rejects.toThrow(/no state named 'nope'/);
    await state.release();
  });
});

describe('SessionCache', () => {
  test('one session per graph hash and options; release drops it', async () => {
    const cache = new SessionCache();
    const model = momentumStepProgram(3).model;
    const [a, b] = await Promise.all([cache.get(model), cache.get(model)]);
    expect(a).toBe(b);
    expect(cache.size).toBe(1);
    const c = await cache.get(model, { intraOpNumThreads: 1 });
    expect(c).not.toBe(a);
    expect(cache.size).toBe(2);
    expect(graphHash(model)).toMatch(/^[0-9a-f]{64}$/);
    expect(graphHash(momentumStepProgram(4).model)).not.toBe(graphHash(model));
    const first = await cache.acquire(model);
    const second = await cache.acquire(model);
    expect(first.session).toBe(a);
    expect(await cache.releaseRef(first.key)).toBe(false);
    expect(a.isReleased).toBe(false);
    expect(await cache.releaseRef(second.key)).toBe(true);
    expect(a.isReleased).toBe(true);
    await expect(cache.releaseRef(second.key)).rejects.toThrow(/no references held/);
    const again = await cache.get(model);
    await cache.release(model);
    expect(again.isReleased).toBe(true);
    expect(cache.has(model)).toBe(false);
    await cache.releaseAll();
    expect(c.isReleased).toBe(true);
  });
});

describe('ComputeClient', () => {
  const client = ComputeClient.start();
  afterAll(() => client.terminate());

  test('runs train steps off the main thread and matches the reference', async () => {
    const { threadId: workerThread } = await client.ping();
    expect(workerThread).not.toBe(threadId);
    const loaded = await client.loadTrainStep(momentumStepProgram(3), { p: Float32Array.from(p0) });
    expect(loaded.executionProvider).toBe('cpu');
    for (const x of xs) await client.trainStep(loaded.stateId, { x: { dtype: 'float32', dims: [3], data: Float32Array.from(x) } }, lr);
    const values = await client.readState(loaded.stateId, ['p']);
    const reference = momentumReference(p0, xs, lr);
    for (const [i, v] of values['p']!.entries()) expect(v).toBeCloseTo(reference.p[i]!, 5);
    await client.releaseState(loaded.stateId);
    await expect(client.readState(loaded.stateId)).rejects.toThrow(/no train state with id/);
  });

  test("a batch entry can be another state's live value (no copy through the main thread)", async () => {
    const source = await client.loadTrainStep(momentumStepProgram(3), { p: Float32Array.of(1, 2, 3) });
    const consumer = await client.loadTrainStep(momentumStepProgram(3), { p: Float32Array.of(0, 0, 0) });
    await client.trainStep(consumer.stateId, { x: { fromState: { stateId: source.stateId, name: 'p' } } }, 1);
    // m = x = [1, 2, 3]; p = 0 - 1 * m
    expect(Array.from((await client.readState(consumer.stateId, ['p']))['p']!)).toEqual([-1, -2, -3]);
    await expect(client.trainStep(consumer.stateId, { x: { fromState: { stateId: source.stateId, name: 'q' } } }, 1)).rejects.toThrow(/no state named 'q'/);
    await client.releaseState(source.stateId);
    await client.releaseState(consumer.stateId);
  });

  test('opens and runs plain sessions; worker errors come back as ComputeWorkerError', async () => {
    const opened = await client.openSession(momentumStepProgram(2).model);
    const twin = await client.openSession(momentumStepProgram(2).model);
    expect(twin.sessionId).not.toBe(opened.sessionId);
    await client.closeSession(twin.sessionId); // the shared ORT session must survive for `opened`
    expect(opened.inputMetadata.map((m) => m.name)).toEqual(['p', 'm', 'x', 'lr', 'step']);
    const f = (v: number[]) => ({ dtype: 'float32' as const, dims: v.length ? [v.length] : [], data: Float32Array.from(v) });
    const out = await client.run(opened.sessionId, { p: f([1, 1]), m: f([0, 0]), x: f([2, 4]), lr: f([0.5]), step: f([1]) }, ['p_next']);
    expect(Array.from(out['p_next']!.data as Float32Array)).toEqual([0, -1]);
    const failure = await client.run(opened.sessionId, { p: f([1, 1]) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ComputeWorkerError);
    expect((failure as Error).message).toMatch(/missing feed for input 'm'/);
    await client.closeSession(opened.sessionId);
    const probe = await client.probe(['cpu']);
    expect(probe[0]).toMatchObject({ name: 'cpu', available: true });
  });
});
