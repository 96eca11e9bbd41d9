import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { encodeModel, makeGraph, makeModel, makeNode, makeValueInfo } from '../../../native-models/onnx';
import {
  OpenSessionError,
  createTensor,
  openSession,
  autoProviderChain,
  platformProviderChain,
  probeExecutionProviders,
  resolveProviderChain,
  scalar,
  tensorFromValues,
  toFloat32Array,
  zeros,
} from '../../../native-models/runtime';
import { buildProbeModel } from '../../../native-models/runtime/small-models';

/** z = x + y over [2, 'n'] float32 plus a pass-through int64 count, to check metadata of several dtypes. */
function twoInputModel(): Uint8Array {
  const graph = makeGraph(
    [makeNode('Add', ['x', 'y'], ['z']), makeNode('Identity', ['count'], ['count_out'])],
    'two_inputs',
    [makeValueInfo('x', 'float32', [2, 'n']), makeValueInfo('y', 'float32', [2, 'n']), makeValueInfo('count', 'int64', [])],
    [makeValueInfo('z', 'float32', [2, 'n']), makeValueInfo('count_out', 'int64', [])],
  );
  return encodeModel(makeModel(graph));
}

describe('openSession', () => {
  test('runs a model on cpu and reports its metadata and provider', async () => {
    const session = await openSession(twoInputModel());
    expect(session.executionProvider).toBe('cpu');
    expect(session.providerAttempts.map((a) => [a.name, a.ok])).toEqual([['cpu', true]]);
    expect(session.inputMetadata).toEqual([
      { name: 'x', isTensor: true, dtype: 'float32', shape: [2, 'n'] },
      { name: 'y', isTensor: true, dtype: 'float32', shape: [2, 'n'] },
      { name: 'count', isTensor: true, dtype: 'int64', shape: [] },
    ]);
    expect(session.outputNames).toEqual(['z', 'count_out']);
    const out = await session.run({
      x: tensorFromValues('float32', [1, 2, 3, 4, 5, 6], [2, 3]),
      y: tensorFromValues('float32', [10, 20, 30, 40, 50, 60], [2, 3]),
      count: scalar('int64', 7),
    });
    expect(Array.from(toFloat32Array(out['z']!))).toEqual([11, 22, 33, 44, 55, 66]);
    expect(out['z']!.dims).toEqual([2, 3]);
    expect(out['count_out']!.data).toEqual(BigInt64Array.of(7n));
    await session.release();
    expect(session.isReleased).toBe(true);
    await expect(session.run({})).rejects.toThrow(/after release/);
  });

  test('feeds are checked by name, dtype and static shape with clear errors', async () => {
    const session = await openSession(twoInputModel());
    const x = zeros('float32', [2, 3]);
    const count = scalar('int64', 1);
    await expect(session.run({ x, count })).rejects.toThrow(/missing feed for input 'y'/);
    await expect(session.run({ x, y: x, count, w: x })).rejects.toThrow(/unexpected feed 'w'.*x, y, count/);
    await expect(session.run({ x, y: zeros('int32', [2, 3]), count })).rejects.toThrow(/input 'y' expects float32, got int32/);
    await expect(session.run({ x, y: zeros('float32', [3, 3]), count })).rejects.toThrow(/input 'y' expects shape \[2, n\], got \[3, 3\]/);
    await expect(session.run({ x, y: x, count }, ['nope'])).rejects.toThrow(/unknown output\(s\) nope/);
    const onlyZ = await session.run({ x, y: x, count }, ['z']);
    expect(Object.keys(onlyZ)).toEqual(['z']);
    await session.release();
  });

  test.skipIf(process.platform !== 'linux')('falls back down the chain and records why each provider failed', async () => {
    // dml and coreml have no backend in the Linux binaries, so they fail fast and deterministically here.
    const session = await openSession(buildProbeModel(), { executionProviders: ['dml', 'coreml', 'cpu'] });
    expect(session.executionProvider).toBe('cpu');
    expect(session.providerAttempts.map((a) => a.name)).toEqual(['dml', 'coreml', 'cpu']);
    expect(session.providerAttempts[0]!.ok).toBe(false);
    expect(session.providerAttempts[0]!.error).toMatch(/dml/);
    await session.release();

    const failure = await openSession(buildProbeModel(), { executionProviders: ['dml', 'coreml'] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenSessionError);
    expect((failure as OpenSessionError).attempts.map((a) => a.ok)).toEqual([false, false]);
    expect((failure as Error).message).toMatch(/no execution provider could open the model \(dml: .*; coreml: /);
  });

  test('session config options (spinning, optimized model in ORT format) are accepted by ORT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-'));
    const ortPath = join(dir, 'probe.ort');
    const session = await openSession(buildProbeModel(2), { allowSpinning: false, intraOpNumThreads: 1, optimizedModelFilePath: ortPath });
    const out = await session.run({ x: tensorFromValues('float32', [1, 2], [2]) });
    expect(Array.from(toFloat32Array(out['y']!))).toEqual([3, 5]);
    await session.release();
    const reopened = await openSession(ortPath);
    expect(Array.from(toFloat32Array((await reopened.run({ x: tensorFromValues('float32', [0, -1], [2]) }))['y']!))).toEqual([1, -1]);
    await reopened.release();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a corrupt model fails with the provider error', async () => {
    await expect(openSession(Uint8Array.of(1, 2, 3))).rejects.toThrow(/cpu: /);
  });
});

describe('provider chains', () => {
  test('auto resolves to the platform chain ending in cpu; unknown names are rejected', () => {
    expect(resolveProviderChain(undefined)).toEqual(['cpu']);
    expect(resolveProviderChain('auto')).toEqual(autoProviderChain());
    expect(platformProviderChain()).toEqual(expect.arrayContaining(autoProviderChain()));
    expect(platformProviderChain('win32', 'x64')).toEqual(['webgpu', 'dml', 'cpu']);
    expect(platformProviderChain('darwin', 'arm64')).toEqual(['webgpu', 'coreml', 'cpu']);
    expect(platformProviderChain('linux', 'arm64')).toEqual(['cpu']);
    expect(resolveProviderChain(['cpu', 'cpu'])).toEqual(['cpu']);
    expect(() => resolveProviderChain(['vulkan'])).toThrow(/unknown provider 'vulkan'/);
    expect(() => resolveProviderChain([])).toThrow(/empty list/);
  });
});

describe('probeExecutionProviders', () => {
  test('cpu is available and checked numerically; missing backends report an error', async () => {
    const results = await probeExecutionProviders({ candidates: ['cpu', 'dml'] });
    expect(results[0]).toMatchObject({ name: 'cpu', available: true });
    if (process.platform !== 'win32') {
      expect(results[1]).toMatchObject({ name: 'dml', available: false });
      expect(results[1]!.error).toMatch(/dml/);
    }
  });

  test('default candidates follow the platform chain', async () => {
    const results = await probeExecutionProviders({ candidates: ['cpu'] });
    expect(results.map((r) => r.name)).toEqual(['cpu']);
    expect(results[0]!.ms).toBeGreaterThan(0);
  });
});

describe('tensors', () => {
  test('factories validate storage type and element count', () => {
    expect(() => createTensor('float32', new Float32Array(5), [2, 3])).toThrow(/need 6 elements, got 5/);
    expect(() => createTensor('float32', new Int32Array(6) as never, [2, 3])).toThrow(/expected Float32Array storage, got Int32Array/);
    expect(tensorFromValues('float16', [1, -2.5], [2]).data).toEqual(Uint16Array.of(0x3c00, 0xc100));
    expect(tensorFromValues('bool', [0, 3], [2]).data).toEqual(Uint8Array.of(0, 1));
    expect(Array.from(toFloat32Array(tensorFromValues('float16', [0.5, 2], [2])))).toEqual([0.5, 2]);
    expect(zeros('int64', [2]).data).toEqual(new BigInt64Array(2));
  });
});
