import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { generatePairsInWorker } from '../../../native-models/diffusion/pair-worker-client';
import type { PairProgress } from '../../../native-models/diffusion/pair-generator';
import { createImage } from '../../../native-models/image/image';
import { writeImage } from '../../../native-models/image/io';

let root: string;
let images: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'e2gan-pair-worker-'));
  await writeTinyPipeline(join(root, 'ip2p'), { kind: 'instruct-pix2pix' });
  await mkdir(join(root, 'photos'));
  images = [];
  for (const name of ['one', 'two']) {
    const path = join(root, 'photos', `${name}.png`);
    const image = createImage(64, 64);
    image.data.forEach((_, i) => (image.data[i] = (i % 7) / 7));
    await writeImage(path, image);
    images.push(path);
  }
});

describe('generatePairsInWorker', () => {
  it('generates pairs off the main thread with progress', async () => {
    const progress: PairProgress[] = [];
    let kind = '';
    const summary = await generatePairsInWorker(
      { modelDir: join(root, 'ip2p'), prompt: 'x', imagePaths: images, outDir: join(root, 'out'), size: 64, steps: 2, qualityGuard: false },
      { onProgress: (p) => progress.push(p), onModelLoaded: (info) => (kind = info.kind) },
    );
    expect(kind).toBe('instruct-pix2pix');
    expect(summary.outcomes.map((o) => o.status)).toEqual(['written', 'written']);
    expect(progress.map((p) => `${p.imageIndex}:${p.step}`)).toEqual(['0:1', '0:2', '1:1', '1:2']);
    expect((await readdir(join(root, 'out'))).sort()).toEqual(['one.input.png', 'one.target.png', 'two.input.png', 'two.target.png']);
  });

  it('cancels within one step', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    await expect(generatePairsInWorker(
      { modelDir: join(root, 'ip2p'), prompt: 'x', imagePaths: images, outDir: join(root, 'cancelled'), size: 64, steps: 50, qualityGuard: false },
      { signal: controller.signal, onProgress: (p) => { steps.push(p.step); controller.abort(); } },
    )).rejects.toMatchObject({ name: 'AbortError' });
    // The abort arrives while step 2 may already be running; it must stop at the next step boundary.
    expect(steps.length).toBeLessThanOrEqual(2);
    expect(await readdir(join(root, 'cancelled'))).toEqual([]);
  });

  it('passes the worker error through', async () => {
    await expect(generatePairsInWorker({ modelDir: join(root, 'nope'), prompt: 'x', imagePaths: images, outDir: join(root, 'o2'), size: 64 }))
      .rejects.toThrow(/nope does not exist or is not a folder/);
  });
});
