import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Job, type Services } from '../../../electron/services/index';
import { checkDataFolder } from './fixtures/store-invariants';
import { writeJpeg, writePng, writeTruncatedPng } from './fixtures/make-images';

let root: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-import-'));
  services = createServices({ dataDir: path.join(root, 'data') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

async function runImport(projectId: number, files: { path: string; name?: string }[]): Promise<Job<'import-images'>> {
  const job = services.imports.start({ projectId, sources: files });
  return (await services.jobs.waitFor(job.id)) as Job<'import-images'>;
}

describe('image import job', () => {
  it('imports images from folders and files, skipping non-images and corrupt files with reasons', async () => {
    const input = path.join(root, 'input');
    await writePng(path.join(input, 'a.png'), 1);
    await writeJpeg(path.join(input, 'nested', 'deeper', 'b.jpg'), '#3366cc');
    writeFileSync(path.join(input, 'readme.txt'), 'hello');
    await writeTruncatedPng(path.join(input, 'broken.png'));
    writeFileSync(path.join(input, '.DS_Store'), 'finder metadata');
    const staged = path.join(root, 'staging-upload-1');
    await writePng(staged, 2);

    const project = services.projects.create({ name: 'Import' });
    const states: string[] = [];
    const progress: number[] = [];
    const order: string[] = [];
    services.events.on('jobChanged', ({ job }) => {
      states.push(job.state);
      order.push(`job ${job.state}`);
    });
    services.events.on('jobProgress', (event) => progress.push(event.progress));
    services.events.on('imagesChanged', ({ projectId }) => order.push(`images ${projectId}`));

    const job = await runImport(project.id, [{ path: input }, { path: staged, name: 'dropped.png' }, { path: path.join(root, 'missing.png') }]);

    expect(job.state).toBe('done');
    expect(job.progress).toBe(1);
    expect(states).toEqual(['queued', 'running', 'done']);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((x, y) => x - y)).toEqual(progress);
    // Per-file changes are coalesced, and the last one arrives before the job is reported done.
    const changes = order.filter((entry) => entry === `images ${project.id}`).length;
    expect(changes).toBeGreaterThanOrEqual(1);
    expect(changes).toBeLessThanOrEqual(3);
    expect(order.at(-2)).toBe(`images ${project.id}`);
    expect(order.at(-1)).toBe('job done');

    const result = job.result!;
    expect(result.imported.map((i) => i.name)).toEqual(['input/a.png', 'input/nested/deeper/b.jpg', 'dropped.png']);
    expect(result.duplicates).toEqual([]);
    expect(result.notProcessed).toBe(0);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.name, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['input/broken.png', 'input/readme.txt', 'missing.png']);
    expect(reasons['input/readme.txt']).toMatch(/^not an image/);
    expect(reasons['input/broken.png']).toMatch(/^corrupt image/);
    expect(reasons['missing.png']).toBe('file not found');

    const images = services.images.list({ projectId: project.id });
    expect(images.map((i) => [i.originalName, i.format, i.width, i.height])).toEqual([
      ['input/a.png', 'png', 64, 48],
      ['input/nested/deeper/b.jpg', 'jpeg', 40, 30],
      ['dropped.png', 'png', 64, 48],
    ]);
    expect(services.projects.get({ projectId: project.id }).imageCount).toBe(3);

    const thumb = await services.images.readThumbnail({ imageId: images[0]!.id });
    expect(thumb.mimeType).toBe('image/webp');
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 64, height: 48 });
    const original = await services.images.readOriginal({ imageId: images[1]!.id });
    expect(original.mimeType).toBe('image/jpeg');
    expect(original.bytes.length).toBe(images[1]!.bytes);

    const check = checkDataFolder(services.dataDir);
    expect(check.problems).toEqual([]);
    expect(check.blobCount).toBe(6);
  });

  it('reports duplicates within a job and against earlier imports, but not across projects', async () => {
    const a = path.join(root, 'a.png');
    await writePng(a, 7);
    const first = services.projects.create({ name: 'First' });
    const second = services.projects.create({ name: 'Second' });

    const job1 = await runImport(first.id, [{ path: a }, { path: a, name: 'copy.png' }]);
    expect(job1.result!.imported).toHaveLength(1);
    const existingId = job1.result!.imported[0]!.imageId;
    expect(job1.result!.duplicates).toEqual([{ name: 'copy.png', path: a, existingImageId: existingId }]);

    const job2 = await runImport(first.id, [{ path: a }]);
    expect(job2.result!.imported).toEqual([]);
    expect(job2.result!.duplicates[0]?.existingImageId).toBe(existingId);

    const job3 = await runImport(second.id, [{ path: a }]);
    expect(job3.result!.imported).toHaveLength(1);
    // Both rows share one blob for the original and one for the thumbnail.
    expect(checkDataFolder(services.dataDir)).toMatchObject({ blobCount: 2, problems: [] });
  });

  it('records the displayed size of EXIF-rotated photos and caps thumbnails at 256 px', async () => {
    const rotated = path.join(root, 'rotated.jpg');
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#880000' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(rotated);
    const wide = path.join(root, 'wide.png');
    await writePng(wide, 3, 600, 300);
    const project = services.projects.create({ name: 'Sizes' });
    await runImport(project.id, [{ path: rotated }, { path: wide }]);
    const [r, w] = services.images.list({ projectId: project.id });
    expect([r!.width, r!.height]).toEqual([30, 40]);
    expect([w!.width, w!.height]).toEqual([600, 300]);
    expect(await sharp((await services.images.readThumbnail({ imageId: r!.id })).bytes).metadata()).toMatchObject({ width: 30, height: 40 });
    expect(await sharp((await services.images.readThumbnail({ imageId: w!.id })).bytes).metadata()).toMatchObject({ width: 256, height: 128 });
  });

  it('rejects bad import requests before queueing anything', () => {
    const project = services.projects.create({ name: 'P' });
    expect(() => services.imports.start({ projectId: project.id, sources: [] })).toThrow(/files: expected at least one path/);
    expect(() => services.imports.start({ projectId: project.id, sources: [{ path: 'relative/x.png' }] })).toThrow(
      /files\[0\]\.path: expected an absolute path, got 'relative\/x.png'/,
    );
    expect(() => services.imports.start({ projectId: project.id + 99, sources: [{ path: '/x.png' }] })).toThrow(/project \d+ does not exist/);
    expect(services.jobs.list()).toEqual([]);
  });

  it('runs a job queued through the generic enqueue(kind, projectId, payload)', async () => {
    const file = path.join(root, 'g.png');
    await writePng(file, 21);
    const project = services.projects.create({ name: 'Generic' });
    expect(() => services.jobs.enqueue('import-images', 999, { projectId: 999, files: [] })).toThrow('project 999 does not exist');
    const job = services.jobs.enqueue('import-images', project.id, { projectId: project.id, files: [{ path: file }] });
    const finished = (await services.jobs.waitFor(job.id)) as Job<'import-images'>;
    expect(finished.result?.imported).toHaveLength(1);
  });

  it('imports an empty folder as a done job with nothing in it', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const project = services.projects.create({ name: 'Empty' });
    const job = await runImport(project.id, [{ path: empty }]);
    expect(job.state).toBe('done');
    expect(job.result).toEqual({ imported: [], duplicates: [], skipped: [], notProcessed: 0 });
  });
});
