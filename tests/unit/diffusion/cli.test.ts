import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { createImage } from '../../../native-models/image/image';
import { writeImage, readImage } from '../../../native-models/image/io';
import { listPairsDir } from '../../../native-models/e2gan/pairs-dir';
import { FakeHub, writeFakeExport } from './fake-hub';
import { SWIFTSHADER_ICD, webgpuChildEnv } from '../runtime/webgpu-env';

const execFileAsync = promisify(execFile);

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTty: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

let root: string;
let photos: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'e2gan-diffusion-cli-'));
  await writeTinyPipeline(join(root, 'ip2p'), { kind: 'instruct-pix2pix' });
  await writeTinyPipeline(join(root, 'turbo'), { kind: 'img2img', dtype: 'float16' });
  photos = join(root, 'photos');
  await mkdir(photos);
  for (const [name, tint] of [
    ['street', 0.2],
    ['garden', 0.7],
  ] as const) {
    const image = createImage(90, 70);
    for (let y = 0; y < 70; y++) {
      for (let x = 0; x < 90; x++) {
        const i = (y * 90 + x) * 3;
        const checker = ((x >> 3) + (y >> 3)) % 2;
        image.data[i] = checker ? tint : x / 90;
        image.data[i + 1] = y / 70;
        image.data[i + 2] = checker ? 1 - tint : 0.5;
      }
    }
    await writeImage(join(photos, `${name}.png`), image);
  }
});

/** A per-step progress line ("image 1/2: step 1/2"), printed on stderr. */
function isProgress(line: string): boolean {
  return /^image \d+\/\d+: step \d+\/\d+$/.test(line);
}

describe('e2gan pairs generate', () => {
  it('writes the pairs layout the trainer reads, from an InstructPix2Pix fixture', async () => {
    const out = join(root, 'pairs-ip2p');
    const io = captureIo();
    const code = await main(
      [
        'pairs',
        'generate',
        '--model',
        join(root, 'ip2p'),
        '--prompt',
        'make it snowy',
        '--images',
        photos,
        '--out',
        out,
        '--size',
        '64',
        '--steps',
        '2',
        '--seed',
        '3',
        '--guidance',
        '5',
        '--image-guidance',
        '1.2',
        '--ep',
        'cpu',
        '--no-quality-guard',
      ],
      io,
    );
    // Progress goes to stderr (issue 16); nothing else does on a clean run.
    expect(io.stderr.filter((line) => !isProgress(line))).toEqual([]);
    expect(io.stderr.filter(isProgress)).toContain('image 2/2: step 2/2');
    expect(code).toBe(0);
    expect(io.stdout[0]).toBe('model: instruct-pix2pix (float32), execution provider cpu');
    expect(io.stdout.at(-1)).toMatch(/^2 of 2 pairs written to /);
    const listing = await listPairsDir(out);
    expect(listing.problems).toEqual([]);
    expect(listing.pairs.map((p) => p.name).sort()).toEqual(['garden', 'street']);
    const target = await readImage(join(out, 'street.target.png'));
    expect([target.width, target.height]).toEqual([64, 64]);
  });

  it('skips outputs the quality guard rejects and says why', async () => {
    const out = join(root, 'pairs-guarded');
    const io = captureIo();
    // Random weights produce outputs unrelated to the photo: the guard must catch them.
    const code = await main(
      ['pairs', 'generate', '--model', join(root, 'ip2p'), '--prompt', 'x', '--images', photos, '--out', out, '--size', '64', '--steps', '2'],
      io,
    );
    expect(code).toBe(0);
    const reports = io.stderr.filter((line) => !isProgress(line));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/^skipped .*\.png: output looks unrelated to the input/);
    expect(await readdir(out)).toEqual([]);
  });

  it('runs the fp16 img2img fixture in batches', async () => {
    const out = join(root, 'pairs-turbo');
    const io = captureIo();
    const code = await main(
      [
        'pairs',
        'generate',
        '--model',
        join(root, 'turbo'),
        '--prompt',
        'a watercolor',
        '--images',
        photos,
        '--out',
        out,
        '--size',
        '64',
        '--steps',
        '2',
        '--strength',
        '1',
        '--batch',
        '2',
        '--scheduler',
        'ddim',
        '--no-quality-guard',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout[0]).toBe('model: img2img (float16), execution provider cpu');
    expect((await listPairsDir(out)).pairs).toHaveLength(2);
    // Photo i uses seed + i whatever the batch size: a batch-1 run writes the same targets.
    const single = join(root, 'pairs-turbo-single');
    expect(
      await main(
        [
          'pairs',
          'generate',
          '--model',
          join(root, 'turbo'),
          '--prompt',
          'a watercolor',
          '--images',
          photos,
          '--out',
          single,
          '--size',
          '64',
          '--steps',
          '2',
          '--strength',
          '1',
          '--batch',
          '1',
          '--scheduler',
          'ddim',
          '--no-quality-guard',
        ],
        captureIo(),
      ),
    ).toBe(0);
    for (const name of ['garden', 'street']) {
      const a = await readImage(join(out, `${name}.target.png`));
      const b = await readImage(join(single, `${name}.target.png`));
      expect(Math.max(...a.data.map((v, i) => Math.abs(v - b.data[i]!)))).toBeLessThanOrEqual(1 / 255 + 1e-6);
    }
  });

  it('says when it runs Euler in place of an unimplemented sampler', async () => {
    const dir = join(root, 'sd15-pndm');
    await writeTinyPipeline(dir, {
      kind: 'img2img',
      scheduler: { _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, steps_offset: 1, skip_prk_steps: true },
    });
    const io = captureIo();
    expect(
      await main(
        [
          'pairs',
          'generate',
          '--model',
          dir,
          '--prompt',
          'p',
          '--images',
          photos,
          '--out',
          join(root, 'pndm-out'),
          '--size',
          '64',
          '--steps',
          '2',
          '--guidance',
          '7.5',
          '--no-quality-guard',
        ],
        io,
      ),
    ).toBe(0);
    expect(io.stdout[1]).toBe('scheduler: PNDMScheduler is not implemented; using Euler over the same noise schedule');
  });

  it('reports usage errors with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['pairs', 'generate', '--model', 'm', '--prompt', 'p', '--images', photos, '--out', 'o', '--size', '100'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/--size: expected a multiple of 64, got '100'/);
    const io2 = captureIo();
    expect(await main(['pairs', 'generate', '--model', 'm', '--prompt', 'p', '--images', photos, '--out', 'o', '--ep', 'tpu'], io2)).toBe(2);
    expect(io2.stderr[0]).toMatch(/--ep: unknown execution provider 'tpu'/);
    const io3 = captureIo();
    expect(await main(['pairs', 'generate', '--prompt', 'p'], io3)).toBe(2);
    expect(io3.stderr[0]).toMatch(/--model is required/);
    const io4 = captureIo();
    expect(await main(['pairs', 'generate', '--model', 'm', '--prompt', 'p', '--images', photos, '--out', 'o', '--scheduler', 'pndm'], io4)).toBe(2);
    expect(io4.stderr[0]).toMatch(/--scheduler: expected one of euler, euler-ancestral, ddim, lcm, got 'pndm'/);
  });
});

describe.skipIf(!existsSync(SWIFTSHADER_ICD))('execution-provider fallback at run time (WebGPU on SwiftShader)', () => {
  it('retries an fp16 model on cpu when the WebGPU adapter cannot run f16 shaders', async () => {
    // The Vulkan driver must be chosen before ORT starts Dawn, so this runs the real CLI in a child process.
    const out = join(root, 'pairs-fallback');
    const result = await execFileAsync(
      process.execPath,
      [
        join(process.cwd(), 'bin', 'e2gan.mjs'),
        'pairs',
        'generate',
        '--model',
        join(root, 'turbo'),
        '--prompt',
        'p',
        '--images',
        photos,
        '--out',
        out,
        '--size',
        '64',
        '--steps',
        '2',
        '--strength',
        '1',
        '--ep',
        'webgpu,cpu',
        '--no-quality-guard',
      ],
      { env: webgpuChildEnv() },
    );
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('model: img2img (float16), execution provider webgpu');
    if (lines[1] === 'model: img2img (float16), execution provider cpu') {
      // SwiftShader lacks shader-f16: the first run failed and the batch was retried on cpu.
      expect(result.stderr).toMatch(/execution provider webgpu failed while running \(.*\); retrying on cpu/);
    }
    expect((await listPairsDir(out)).pairs).toHaveLength(2);
  });
});

describe('e2gan models', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    hub = new FakeHub('acme/tiny-onnx', await writeFakeExport(join(root, 'hub-source')));
    await hub.start();
  });
  afterAll(() => new Promise<void>((resolve) => hub.server.close(() => resolve())));

  it('imports, downloads and lists models', async () => {
    const modelsDir = join(root, 'models');
    const io = captureIo();
    expect(await main(['models', 'import', join(root, 'ip2p'), '--models-dir', modelsDir], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^installed ip2p \(OnnxStableDiffusionInstructPix2PixPipeline, /);
    const dl = captureIo();
    expect(await main(['models', 'download', 'acme/tiny-onnx', '--endpoint', hub.url, '--models-dir', modelsDir], dl)).toBe(0);
    expect(dl.stdout.at(-1)).toMatch(/^installed acme--tiny-onnx /);
    expect(dl.stdout.some((l) => l.startsWith('[##########]'))).toBe(true);
    const list = captureIo();
    expect(await main(['models', 'list', '--json', '--verify', '--models-dir', modelsDir], list)).toBe(0);
    const rows = JSON.parse(list.stdout[0]!) as { name: string; problem: string | null; verifyProblems: string[]; source: { kind: string } }[];
    expect(rows.map((r) => [r.name, r.source.kind, r.problem, r.verifyProblems])).toEqual([
      ['acme--tiny-onnx', 'huggingface', null, []],
      ['ip2p', 'import', null, []],
    ]);
    // The imported model is usable straight from the models folder.
    const gen = captureIo();
    expect(
      await main(
        [
          'pairs',
          'generate',
          '--model',
          join(modelsDir, 'ip2p'),
          '--prompt',
          'x',
          '--images',
          photos,
          '--out',
          join(root, 'p2'),
          '--size',
          '64',
          '--steps',
          '1',
          '--no-quality-guard',
        ],
        gen,
      ),
    ).toBe(0);
  });

  it('fails clearly offline', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const io = captureIo();
    expect(await main(['models', 'download', 'acme/tiny-onnx', '--endpoint', `http://127.0.0.1:${port}`, '--models-dir', join(root, 'm2')], io)).toBe(1);
    expect(io.stderr[0]).toBe(
      `e2gan models download: cannot reach http://127.0.0.1:${port}/api/models/acme/tiny-onnx/tree/main?recursive=true (ECONNREFUSED), you are offline?`,
    );
  });
});
