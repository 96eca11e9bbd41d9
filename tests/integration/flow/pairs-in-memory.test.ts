/**
 * Pair generation with a diffusion teacher keeps the images in memory (issue 17): the job decodes each photo
 * from the blob store, the engine hands each pair back as images with the guard's verdict, and the job stores
 * them as blobs. No folder of pair images is written and read back (the job used to go through
 * staging/pairs-job-<id>/NAME.input.png + NAME.target.png). Real store, job runner and a tiny real pipeline.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';

const IMAGE_FILE = /\.(png|jpe?g|webp|avif|tiff?|bmp|gif)$/i;

let root: string;
let dataDir: string;
let services: Services;
beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-pairs-memory-'));
  dataDir = path.join(root, 'data');
  await writeTinyPipeline(path.join(root, 'models', 'tiny-ip2p'), { kind: 'instruct-pix2pix' });
  services = createServices({ dataDir, modelsDir: path.join(root, 'models') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** Image files anywhere in the data folder, and any folder under staging/ (where the job used to write pairs). */
function imageFolderTraces(): string[] {
  const traces: string[] = [];
  for (const entry of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
    const relative = path.relative(dataDir, path.join(entry.parentPath, entry.name));
    if (entry.isDirectory() ? relative.startsWith(`staging${path.sep}`) : IMAGE_FILE.test(entry.name)) traces.push(relative);
  }
  return traces;
}

describe('diffusion pair generation writes and reads no image folder', () => {
  it('stores every pair straight from memory while the data folder stays free of pair images at every progress report', async () => {
    const project = services.projects.create({ name: 'Memory pairs' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Snow', prompt: 'make it snowy', teacher: 'diffusion:tiny-ip2p' });
    const photos = ['#336699', '#cc8844', '#44aa66'].map((colour, i) => ({ colour, file: path.join(root, `photo-${i}.png`) }));
    for (const { colour, file } of photos)
      await sharp({ create: { width: 80, height: 64, channels: 3, background: colour } })
        .png()
        .toFile(file);
    await services.jobs.waitFor(services.imports.start({ projectId: project.id, sources: photos.map((p) => ({ path: p.file })) }).id);
    const imageIds = services.images.list({ projectId: project.id }).map((image) => image.id);

    const seen = new Set<string>();
    let reports = 0;
    services.events.on('jobProgress', () => {
      reports += 1;
      for (const trace of imageFolderTraces()) seen.add(trace);
    });
    const job = await services.jobs.waitFor(services.pairs.generate({ conceptId: concept.id, imageIds, seed: 3, diffusion: { steps: 2, size: 64 } }).id);
    expect(job.state, job.error ?? '').toBe('done');
    for (const trace of imageFolderTraces()) seen.add(trace);
    expect(reports).toBeGreaterThanOrEqual(3);
    expect([...seen]).toEqual([]);

    // The pairs are there, as PNG blobs at the teacher's size, each with the guard's verdict.
    const pairs = services.pairs.list({ conceptId: concept.id });
    expect(pairs.map((pair) => pair.imageId).sort()).toEqual([...imageIds].sort());
    expect(pairs.map((pair) => pair.seed).sort()).toEqual([3, 4, 5]);
    for (const pair of pairs) {
      for (const sha of [pair.inputSha256, pair.targetSha256]) {
        expect(await sharp(services.images.blobPath(sha)).metadata()).toMatchObject({ format: 'png', width: 64, height: 64 });
      }
      expect(['pending', 'guard-rejected']).toContain(pair.status);
      expect(pair.status === 'guard-rejected').toBe(pair.reason !== null);
    }
  }, 120_000);
});
