import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../electron/cli/command';
import { main } from '../../../electron/cli/main';

let root: string;
let previousHome: string | undefined;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-cli-'));
  previousHome = process.env.E2GAN_STUDIO_HOME;
  process.env.E2GAN_STUDIO_HOME = path.join(root, 'home');
});
afterEach(() => {
  if (previousHome === undefined) delete process.env.E2GAN_STUDIO_HOME;
  else process.env.E2GAN_STUDIO_HOME = previousHome;
  rmSync(root, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

async function json<T>(...argv: string[]): Promise<T> {
  const result = await cli(...argv, '--json');
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as T;
}

describe('e2gan pairs / subset / training (CLI parity with the studio flow)', () => {
  it('makes pairs, rejects one, keeps a subset, trains a tiny run and lists it', async () => {
    const project = await json<{ id: number }>('projects', 'create', 'CLI flow');
    const concept = await json<{ id: number }>('concepts', 'create', '--project', String(project.id), 'Vintage', '--teacher', 'sepia-vintage');
    const samples = ['astronaut.jpg', 'brick.jpg', 'coffee.jpg', 'rocket.jpg'].map((name) => path.resolve('resources/samples', name));
    expect((await cli('import', '--project', String(project.id), ...samples)).code).toBe(0);

    const made = await cli('pairs', 'make', '--concept', String(concept.id));
    expect(made.code, made.err + made.out).toBe(0);
    expect(made.out).toMatch(/Made 4 pair\(s\)/);
    const pairs = await json<{ id: number; status: string }[]>('pairs', 'list', '--concept', String(concept.id));
    expect(pairs).toHaveLength(4);

    const rejected = await cli('pairs', 'reject', String(pairs[0]!.id));
    expect(rejected.out).toMatch(new RegExp(`${pairs[0]!.id}\\s+rejected`));
    const subset = await json<{ keptPairIds: number[] }>('subset', '--concept', String(concept.id), '--count', '2');
    expect(subset.keptPairIds).toHaveLength(2);
    expect(subset.keptPairIds).not.toContain(pairs[0]!.id);

    const run = await json<{ id: number; state: string; step: number }>(
      'training',
      'start',
      '--concept',
      String(concept.id),
      '--steps',
      '2',
      '--size',
      '32',
      '--rank',
      '2',
      '--ep',
      'cpu',
    );
    expect(run).toMatchObject({ state: 'done', step: 2 });
    const listed = await cli('training', 'list', '--project', String(project.id));
    expect(listed.out).toMatch(new RegExp(`${run.id}\\s+done\\s+step 2/2\\s+fast 32px rank 2`));
    const again = await cli('training', 'resume', String(run.id));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/only a paused, interrupted or failed run can be resumed/);
  }, 180_000);

  it('names bad flags', async () => {
    expect((await cli('subset', '--concept', '1', '--count', '0')).err).toMatch(/--count: expected an integer >= 1, got '0'/);
    expect((await cli('training', 'start', '--concept', '1', '--preset', 'turbo')).err).toMatch(/--preset: expected fast, balanced or quality, got 'turbo'/);
    expect((await cli('pairs', 'accept')).err).toMatch(/expected at least one PAIR_ID/);
  });
});
