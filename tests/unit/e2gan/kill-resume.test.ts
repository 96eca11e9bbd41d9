import { expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunDir } from '../../../native-models/e2gan/run-dir';
import { writeImage } from '../../../native-models/image/io';
import { createImage } from '../../../native-models/image/image';

const bin = fileURLToPath(new URL('../../../bin/e2gan.mjs', import.meta.url));

function runCli(args: string[]): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  done.then((code) => {
    if (code !== 0 && code !== null) console.error(output);
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('kill -9 during training, then --resume, gives the same loss curve as an uninterrupted run', async () => {
  const pairs = mkdtempSync(join(tmpdir(), 'kill-pairs-'));
  for (let k = 0; k < 3; k++) {
    const input = createImage(16, 16);
    for (let i = 0; i < input.data.length; i++) input.data[i] = 0.5 + 0.45 * Math.sin(i * 0.21 + 2 * k);
    const target = createImage(16, 16);
    for (let i = 0; i < input.data.length; i++) target.data[i] = input.data[i]! * 0.6 + 0.2;
    await writeImage(join(pairs, `p${k}.input.png`), input);
    await writeImage(join(pairs, `p${k}.target.png`), target);
  }
  const root = mkdtempSync(join(tmpdir(), 'kill-run-'));
  const flags = [
    '--pairs',
    pairs,
    '--preset',
    'tiny',
    '--size',
    '16',
    '--steps',
    '30',
    '--checkpoint-every',
    '2',
    '--held-out',
    '1',
    '--seed',
    '5',
    '--ep',
    'cpu',
  ];

  const reference = runCli(['train', ...flags, '--out', join(root, 'reference')]);
  expect(await reference.done).toBe(0);

  const victim = new RunDir(join(root, 'victim'));
  const first = runCli(['train', ...flags, '--out', victim.path]);
  // Only the newest two checkpoints are kept, so wait for "at least step 4" rather than the step-4 file (which a
  // fast run deletes again a few steps later); the 30-step run leaves ample time to kill it mid-way.
  await waitFor(async () => (await victim.listCheckpoints().catch(() => [])).some((step) => step >= 4), 90_000);
  first.kill();
  expect(await first.done).toBe(null); // killed by the signal, not exited
  expect(existsSync(join(victim.path, 'concept.safetensors'))).toBe(false);
  const resumed = runCli(['train', '--out', victim.path, '--resume']);
  expect(await resumed.done).toBe(0);

  const expected = (await new RunDir(join(root, 'reference')).loadLatestCheckpoint())!;
  const actual = (await victim.loadLatestCheckpoint())!;
  expect(actual.step).toBe(30);
  expect(actual.lossHistory).toEqual(expected.lossHistory);
});
