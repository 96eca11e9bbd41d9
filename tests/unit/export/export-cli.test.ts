import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';

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

describe('e2gan export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'export-cli-'));
    const io = captureIo();
    expect(await main(['teach', '--concept', 'color-invert', '--in', SAMPLES, '--out', join(dir, 'pairs'), '--pairs'], io)).toBe(0);
    expect(
      await main(
        [
          'train',
          '--pairs',
          join(dir, 'pairs'),
          '--out',
          join(dir, 'run'),
          '--steps',
          '2',
          '--size',
          '32',
          '--preset',
          'tiny',
          '--checkpoint-every',
          '2',
          '--preview-every',
          '2',
        ],
        io,
      ),
    ).toBe(0);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('exports a finished run to a bundle and prints the bundle path last', async () => {
    const io = captureIo();
    const out = join(dir, 'invert.zip');
    const code = await main(
      ['export', '--run', join(dir, 'run'), '--out', out, '--precision', 'fp16', '--name', 'Invert', '--prompt', 'invert the colours'],
      io,
    );
    expect(code, io.stderr).toBe(0);
    expect(io.stdout.trim().split('\n').at(-1)).toBe(`bundle=${out}`);
    const files = unzipSync(new Uint8Array(await readFile(out)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['model.onnx', 'model.fp16.onnx', 'model.fp16.ort', 'manifest.json']));
    expect(Object.keys(files)).not.toContain('model.int8.onnx');
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest.concept).toMatchObject({ name: 'Invert', prompt: 'invert the colours' });
    expect(manifest.variants).toHaveLength(2);
  });

  test('rejects unknown precisions and non-zip outputs with a usage error', async () => {
    const io = captureIo();
    expect(await main(['export', '--run', join(dir, 'run'), '--out', join(dir, 'x.zip'), '--precision', 'int4'], io)).toBe(2);
    expect(io.stderr).toContain("got 'int4'");
    expect(await main(['export', '--run', join(dir, 'run'), '--out', join(dir, 'x.tar')], io)).toBe(2);
  });

  test('names the problem when the run folder is not a finished run', async () => {
    const io = captureIo();
    expect(await main(['export', '--run', join(dir, 'pairs'), '--out', join(dir, 'y.zip')], io)).toBe(1);
    expect(io.stderr).toContain('not a training run');
  });
});
