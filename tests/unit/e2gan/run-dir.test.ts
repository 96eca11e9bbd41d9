import { expect, test } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDir, type TrainState } from '../../../native-models/e2gan/run-dir';

function state(step: number): TrainState {
  return {
    step,
    tensors: new Map([
      ['param.generator.out.conv.weight', { shape: [2, 2], data: new Float32Array([step, 2, 3, 4]) }],
      ['adam.m.generator.out.conv.weight', { shape: [4], data: new Float32Array([0.5, -0.5, 1e-8, 0]) }],
    ]),
    rngState: { augment: 12345 + step },
    lossHistory: Array.from({ length: step }, (_, i) => ({ step: i + 1, losses: { l1: 1 / (i + 1), adv: 0.25 } })),
    extra: { elapsedSeconds: 3.5 },
  };
}

test('settings and checkpoints round-trip; old checkpoints are pruned', async () => {
  const run = new RunDir(join(mkdtempSync(join(tmpdir(), 'run-')), 'my-run'));
  expect(await run.readSettings()).toBeUndefined();
  expect(await run.loadLatestCheckpoint()).toBeUndefined();
  await run.writeSettings({ steps: 100, seed: 7 });
  expect(await run.readSettings()).toEqual({ steps: 100, seed: 7 });
  for (const step of [10, 20, 30]) await run.saveCheckpoint(state(step), 2);
  expect(await run.listCheckpoints()).toEqual([20, 30]);
  const latest = (await run.loadLatestCheckpoint())!;
  expect(latest.step).toBe(30);
  expect([...latest.tensors.get('param.generator.out.conv.weight')!.data]).toEqual([30, 2, 3, 4]);
  expect(latest.tensors.get('param.generator.out.conv.weight')!.shape).toEqual([2, 2]);
  expect([...latest.tensors.get('adam.m.generator.out.conv.weight')!.data]).toEqual([...new Float32Array([0.5, -0.5, 1e-8, 0])]);
  expect(latest.rngState).toEqual({ augment: 12375 });
  expect(latest.lossHistory).toHaveLength(30);
  expect(latest.lossHistory[2]).toEqual({ step: 3, losses: { l1: 1 / 3, adv: 0.25 } });
  expect(latest.extra).toEqual({ elapsedSeconds: 3.5 });
  expect(readdirSync(run.checkpointsPath).filter((n) => n.endsWith('.tmp'))).toEqual([]);
});

test('a damaged newest checkpoint falls back to the previous one; all damaged is a clear error', async () => {
  const run = new RunDir(mkdtempSync(join(tmpdir(), 'run-')));
  await run.saveCheckpoint(state(5));
  await run.saveCheckpoint(state(6));
  writeFileSync(run.checkpointPath(6), new Uint8Array(20));
  expect((await run.loadLatestCheckpoint())!.step).toBe(5);
  writeFileSync(run.checkpointPath(5), 'garbage');
  await expect(run.loadLatestCheckpoint()).rejects.toThrow(/no loadable checkpoint.*\n.*step-00000006\.safetensors/);
});

test('a corrupt run.json names the file', async () => {
  const run = new RunDir(mkdtempSync(join(tmpdir(), 'run-')));
  writeFileSync(run.settingsPath, '{oops');
  await expect(run.readSettings()).rejects.toThrow(/run\.json: not valid JSON/);
});
