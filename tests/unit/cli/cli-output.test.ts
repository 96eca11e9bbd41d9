/**
 * The command line's output contract (issue 16): `--version`; with `--json` stdout carries exactly one JSON
 * document and every progress or note line goes to stderr; without it, training progress is on stderr and
 * the result lines on stdout. Runs the real commands on two sample photos at 32 px.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../electron/cli/command';
import { defaultConceptName } from '../../../electron/cli/commands/export';
import { main } from '../../../electron/cli/main';

const SAMPLES = new URL('../../../resources/samples/', import.meta.url).pathname;

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out(t: string) {
      io.stdout += `${t}\n`;
    },
    err(t: string) {
      io.stderr += `${t}\n`;
    },
  };
  return io;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-output-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('e2gan --version', () => {
  it('prints the package version, as text or JSON', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const io = captureIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout).toBe(`e2gan ${version}\n`);
    const json = captureIo();
    expect(await main(['--version', '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ name: 'e2gan', version });
  });
});

describe('--json and stderr progress', () => {
  it('teach, train, apply and export each print one JSON document on stdout', async () => {
    const pairs = join(dir, 'pairs');
    const teach = captureIo();
    expect(await main(['teach', '--concept', 'color-invert', '--in', SAMPLES, '--out', pairs, '--pairs', '--size', '32', '--json'], teach), teach.stderr).toBe(
      0,
    );
    const taught = JSON.parse(teach.stdout) as { teacher: string; images: number; failed: number; written: { from: string; to: string[] }[] };
    expect(taught).toMatchObject({ teacher: 'color-invert', failed: 0 });
    expect(taught.written).toHaveLength(taught.images);
    expect(taught.written[0]!.to[0]).toMatch(/\.input\.png$/);
    expect(teach.stderr).toContain('color-invert:');

    const run = join(dir, 'run');
    const train = captureIo();
    const code = await main(
      [
        'train',
        '--pairs',
        pairs,
        '--out',
        run,
        '--steps',
        '2',
        '--size',
        '32',
        '--preset',
        'tiny',
        '--base',
        'none',
        '--checkpoint-every',
        '2',
        '--preview-every',
        '2',
        '--ep',
        'cpu',
        '--json',
      ],
      train,
    );
    expect(code, train.stderr).toBe(0);
    const trained = JSON.parse(train.stdout) as Record<string, unknown> & { baselines: Record<string, number | null> };
    expect(trained).toMatchObject({ run, completed: true, step: 2 });
    expect(trained.heldOutPsnr).toEqual(expect.any(Number));
    expect(trained.baselines.identityPsnr).toEqual(expect.any(Number));
    expect(trained.baselines.affinePsnr).toEqual(expect.any(Number));
    expect(train.stderr).toMatch(/training on cpu/);
    expect(train.stderr).toMatch(/step 2\/2/);

    const apply = captureIo();
    const styled = join(dir, 'styled.png');
    expect(await main(['apply', '--run', run, '--in', join(SAMPLES, 'coffee.jpg'), '--out', styled, '--max-side', '64', '--json'], apply), apply.stderr).toBe(
      0,
    );
    expect(JSON.parse(apply.stdout)).toEqual({
      run,
      written: [{ from: join(SAMPLES, 'coffee.jpg'), to: styled, width: expect.any(Number), height: expect.any(Number) }],
    });

    const exported = captureIo();
    const zip = join(dir, 'invert.zip');
    expect(await main(['export', '--run', run, '--out', zip, '--precision', 'fp16', '--json'], exported), exported.stderr).toBe(0);
    const bundle = JSON.parse(exported.stdout) as { bundle: string; concept: { name: string }; variants: { precision: string }[] };
    expect(bundle.bundle).toBe(zip);
    expect(bundle.variants.map((v) => v.precision)).toEqual(['fp32', 'fp16']);
    // Named after the concept's folder ("pairs" is generic, so the folder above it), not "pairs".
    expect(bundle.concept.name).toBe(dir.split('/').pop());
    expect(exported.stderr).toMatch(/generator: .* parameters/);
  });

  it('without --json, training progress goes to stderr and the result line to stdout', async () => {
    const train = captureIo();
    expect(await main(['train', '--out', join(dir, 'run'), '--resume'], train)).toBe(0);
    expect(train.stdout).toMatch(/^done: /m);
    expect(train.stdout).not.toMatch(/^step \d+\/\d+/m);
  });
});

describe('defaultConceptName', () => {
  it('prefers the built-in effect that taught the pairs, then the folder, skipping a generic "pairs" folder', () => {
    expect(defaultConceptName({ pairs: '/x/pairs', teacher: 'sepia-vintage' })).toBe('sepia vintage photo');
    expect(defaultConceptName({ pairs: '/work/winter-pairs' })).toBe('winter-pairs');
    expect(defaultConceptName({ pairs: '/runs/run-4/pairs/' })).toBe('run-4');
  });
});
