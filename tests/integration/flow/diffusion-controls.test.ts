/**
 * The diffusion teacher's controls (issue 16): guidance, image guidance, steps, seed and negative prompt go
 * from pairs.generate into the pipeline, are stored on each pair, and a regeneration reuses them (one knob
 * changed). Runs a tiny random-weight InstructPix2Pix export through the real services and job workers.
 */
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
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-diffusion-controls-'));
  await writeTinyPipeline(path.join(root, 'models', 'tiny-ip2p'), { kind: 'instruct-pix2pix' });
  services = createServices({ dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('diffusion teacher controls', () => {
  it('stores every setting on the pair, uses the negative prompt, and regenerates with the same settings', async () => {
    const project = services.projects.create({ name: 'Controls' });
    const photo = path.join(root, 'street.png');
    await sharp({ create: { width: 80, height: 64, channels: 3, background: { r: 120, g: 90, b: 60 } } })
      .png()
      .toFile(photo);
    const imported = await services.jobs.waitFor(services.imports.start({ projectId: project.id, sources: [{ path: photo }] }).id);
    expect(imported.state).toBe('done');
    const [image] = services.images.list({ projectId: project.id });
    const make = async (name: string, negativePrompt: string | undefined) => {
      const concept = services.concepts.create({ projectId: project.id, name, prompt: 'make it snowy', teacher: 'diffusion:tiny-ip2p' });
      const job = services.pairs.generate({
        conceptId: concept.id,
        imageIds: [image!.id],
        seed: 9,
        diffusion: { guidance: 4, imageGuidance: 1.2, steps: 2, size: 64, ...(negativePrompt !== undefined ? { negativePrompt } : {}) },
      });
      const done = await services.jobs.waitFor(job.id);
      expect(done.state, done.error ?? '').toBe('done');
      return services.pairs.list({ conceptId: concept.id })[0]!;
    };
    const plain = await make('Plain', undefined);
    const avoiding = await make('Avoiding', 'blurry, dark');
    expect(plain.teacher).toEqual({ kind: 'diffusion', modelId: 'tiny-ip2p', guidance: 4, imageGuidance: 1.2, steps: 2, size: 64 });
    expect(avoiding.teacher).toEqual({ ...plain.teacher, negativePrompt: 'blurry, dark' });
    expect(avoiding.seed).toBe(9);
    // Same photo, seed and settings: only the negative prompt differs, and so does the edit.
    expect(avoiding.targetSha256).not.toBe(plain.targetSha256);

    const again = await services.jobs.waitFor(services.pairs.regenerate({ pairId: avoiding.id, seed: 9 }).id);
    expect(again.state, again.error ?? '').toBe('done');
    const remade = services.pairs.get({ pairId: avoiding.id });
    expect(remade.teacher).toEqual(avoiding.teacher);
    // Reproducible: the same stored settings and seed give the same target.
    expect(remade.targetSha256).toBe(avoiding.targetSha256);
  }, 180_000);
});
