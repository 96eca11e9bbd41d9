import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';

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

describe('e2gan demo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'demo-cli-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('teaches the samples, fine-tunes, exports, and ends with bundle=<zip>', async () => {
    const io = captureIo();
    const out = join(dir, 'journey');
    const code = await main(['demo', '--out', out, '--concept', 'cartoon', '--steps', '2', '--size', '32', '--ep', 'cpu', '--precision', 'fp16'], io);
    expect(code, io.stderr).toBe(0);
    const zip = join(out, 'cartoon.zip');
    expect(io.stdout.trim().split('\n').at(-1)).toBe(`bundle=${zip}`);
    expect(io.stdout).toContain('[1/3 pairs] 10 pairs');
    // Training progress goes to stderr (results stay on stdout).
    expect(io.stderr).toMatch(/step 2\/2/);
    if (findShippedBase() === undefined) expect(io.stderr).toContain('seeded random base');
    else expect(io.stdout).toContain('base model:');
    const files = unzipSync(new Uint8Array(await readFile(zip)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['model.onnx', 'model.fp16.onnx', 'model.fp16.ort', 'manifest.json']));
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest.concept.id).toBe('cartoon');
    expect(manifest.variants.map((v: { precision: string }) => v.precision)).toEqual(['fp32', 'fp16']);
  });

  test('refuses a non-empty output folder, unknown teachers and bad sizes with usage errors', async () => {
    const io = captureIo();
    const busy = join(dir, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'keep.txt'), 'x');
    expect(await main(['demo', '--out', busy], io)).toBe(2);
    expect(io.stderr).toContain('is not empty');
    expect(await main(['demo', '--out', join(dir, 'a'), '--concept', 'no-such'], io)).toBe(2);
    expect(io.stderr).toContain("unknown teacher 'no-such'");
    expect(await main(['demo', '--out', join(dir, 'b'), '--size', '30'], io)).toBe(2);
    expect(io.stderr).toContain('multiple of 8, got 30');
    expect(await main(['demo', '--out', join(dir, 'c'), '--precision', 'int4'], io)).toBe(2);
    expect(io.stderr).toContain("got 'int4'");
    expect(await main(['demo', '--out', join(dir, 'e'), '--base', join(dir, 'missing.safetensors')], io)).toBe(2);
    expect(io.stderr).toContain('missing.safetensors does not exist');
  });

  test('names the samples folder when it has too few photos', async () => {
    const io = captureIo();
    const empty = join(dir, 'no-photos');
    await mkdir(empty);
    expect(await main(['demo', '--out', join(dir, 'd'), '--samples', empty, '--ep', 'cpu'], io)).toBe(1);
    expect(io.stderr).toContain(`${empty}: needs at least 3 photos`);
  });
});
