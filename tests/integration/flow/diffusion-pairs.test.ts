import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';

let root: string;
let services: Services;
beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-diffusion-'));
  // A tiny random-weight InstructPix2Pix export in the exact diffusers layout, installed like `e2gan models import`.
  await writeTinyPipeline(path.join(root, 'models', 'tiny-ip2p'), { kind: 'instruct-pix2pix' });
  services = createServices({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('pair generation with an installed diffusion teacher', () => {
  it('lists the model as a teacher, generates guarded pairs through the pipeline, and regenerates one with other guidance', async () => {
    const teachers = await services.teachers.list();
    expect(teachers).toContainEqual(expect.objectContaining({ kind: 'diffusion', id: 'diffusion:tiny-ip2p' }));

    const project = services.projects.create({ name: 'Diffusion' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Snow', prompt: 'make it snowy', teacher: 'diffusion:tiny-ip2p' });
    const photos = [0, 1].map((i) => path.join(root, `photo-${i}.png`));
    for (const [i, file] of photos.entries()) {
      await sharp({ create: { width: 80, height: 60, channels: 3, background: i === 0 ? '#336699' : '#cc8844' } })
        .png()
        .toFile(file);
    }
    await services.jobs.waitFor(services.imports.start({ projectId: project.id, sources: photos.map((p) => ({ path: p })) }).id);
    const imageIds = services.images.list({ projectId: project.id }).map((image) => image.id);

    const job = await services.jobs.waitFor(services.pairs.generate({ conceptId: concept.id, imageIds, seed: 5, diffusion: { steps: 2, size: 64 } }).id);
    expect(job.state, job.error ?? '').toBe('done');
    const pairs = services.pairs.list({ conceptId: concept.id });
    expect(pairs).toHaveLength(2);
    for (const pair of pairs) {
      expect(pair.teacher).toEqual({ kind: 'diffusion', modelId: 'tiny-ip2p', guidance: 7.5, imageGuidance: 1.5, steps: 2, size: 64 });
      const meta = await sharp(services.images.blobPath(pair.targetSha256)).metadata();
      expect([meta.width, meta.height]).toEqual([64, 64]);
      // Random weights give unrelated outputs; the guard must say so rather than pass them silently.
      if (pair.status === 'guard-rejected') expect(pair.reason).toMatch(/\w+/);
      else expect(pair.status).toBe('pending');
    }
    expect(pairs.map((p) => p.seed).sort()).toEqual([5, 6]);

    const again = await services.jobs.waitFor(services.pairs.regenerate({ pairId: pairs[0]!.id, guidance: 3 }).id);
    expect(again.state, again.error ?? '').toBe('done');
    const regenerated = services.pairs.get({ pairId: pairs[0]!.id });
    expect(regenerated.teacher).toMatchObject({ kind: 'diffusion', guidance: 3 });
    expect(regenerated.seed).toBe(pairs[0]!.seed + 1);

    services.concepts.update({ conceptId: concept.id, teacher: 'diffusion:not-installed' });
    expect(() => services.pairs.generate({ conceptId: concept.id, imageIds })).toThrow(/'not-installed' is not installed/);
  }, 120_000);

  it('skips a photo cancelled on its own and keeps the others on their list-position seeds', async () => {
    const project = services.projects.create({ name: 'Diffusion cancel' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Snow', prompt: 'make it snowy', teacher: 'diffusion:tiny-ip2p' });
    const photos = ['#336699', '#cc8844', '#44aa66'].map((colour, i) => ({ colour, file: path.join(root, `photo-${i}.png`) }));
    for (const { colour, file } of photos)
      await sharp({ create: { width: 64, height: 64, channels: 3, background: colour } })
        .png()
        .toFile(file);
    await services.jobs.waitFor(services.imports.start({ projectId: project.id, sources: photos.map((p) => ({ path: p.file })) }).id);
    const imageIds = services.images.list({ projectId: project.id }).map((image) => image.id);

    const queued = services.pairs.generate({ conceptId: concept.id, imageIds, seed: 5, diffusion: { steps: 1, size: 64 } });
    services.pairs.cancelItem({ jobId: queued.id, imageId: imageIds[1]! });
    const job = await services.jobs.waitFor(queued.id);
    expect(job.state, job.error ?? '').toBe('done');
    expect((job.result as { cancelled: number[] }).cancelled).toEqual([imageIds[1]]);
    const pairs = services.pairs.list({ conceptId: concept.id });
    expect(pairs.map((p) => p.imageId).sort()).toEqual([imageIds[0], imageIds[2]].sort());
    // The skipped photo splits the batch; the third photo still uses seed + its position in the list.
    expect(pairs.map((p) => p.seed).sort()).toEqual([5, 7]);
  }, 120_000);
});
