import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, type CorpusManifest } from '../../../scripts/corpus';
import type { CorpusSource } from '../../../scripts/corpus-sources';
import { CORPUS_SOURCES } from '../../../scripts/corpus-sources';
import { locateSources } from '../../../scripts/corpus-debian';
import { createImage } from '../../../native-models/image/image';
import { readImage, writeImage } from '../../../native-models/image/io';
import { applyCrop } from '../../../native-models/image/transform';
import { psnr } from '../../../native-models/image/metrics';
import { createRng } from '../../../native-models/util/rng';

const source = (name: string): CorpusSource => ({
  package: 'test', packageDir: '.', file: `${name}.png`, name, title: name, author: 'test', licence: 'CC0 1.0', origin: 'generated', sample: false, grayscale: false,
});

describe('photo corpus builder', () => {
  let dir: string;
  let manifest: CorpusManifest;
  const sources = [source('alpha'), source('beta')];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-'));
    const rng = createRng(3);
    for (const [i, s] of sources.entries()) {
      const image = createImage(80 + 20 * i, 60);
      image.data.forEach((_, k) => (image.data[k] = rng.next()));
      await writeImage(join(dir, 'data', s.file), image);
    }
    manifest = await buildCorpus({ pathOf: (s) => join(dir, 'data', s.file), provenance: ['test data'], outDir: join(dir, 'out'), sources, size: 32, cropsPerPhoto: 3, seed: 5, validation: ['beta'] });
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes a full copy, a centre crop and N random crops per photo, all listed in corpus.json', async () => {
    const files = (await readdir(join(dir, 'out', 'images'))).sort();
    expect(files).toHaveLength(2 * (1 + 1 + 3));
    expect(manifest.images.map((i) => i.file.replace('images/', '')).sort()).toEqual(files);
    const onDisk = JSON.parse(await readFile(join(dir, 'out', 'corpus.json'), 'utf8')) as CorpusManifest;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(manifest.photos.map((p) => [p.name, p.split, p.licence])).toEqual([['alpha', 'train', 'CC0 1.0'], ['beta', 'val', 'CC0 1.0']]);
    for (const image of manifest.images.filter((i) => i.kind === 'crop')) {
      const crop = await readImage(join(dir, 'out', image.file));
      expect([crop.width, crop.height]).toEqual([32, 32]);
    }
    expect(await readFile(join(dir, 'out', 'LICENSES.md'), 'utf8')).toContain('| beta | beta | test | CC0 1.0 | generated | val |');
  });

  it('records crop windows that reproduce the crop files', async () => {
    const entry = manifest.images.find((i) => i.kind === 'crop' && i.crop)!;
    const full = await readImage(join(dir, 'out', `images/${entry.source}.full.png`));
    const again = applyCrop(full, entry.crop!, 32, 32);
    expect(psnr(again, await readImage(join(dir, 'out', entry.file)))).toBeGreaterThan(45);
  });

  it('is reproducible for a seed and differs for another', async () => {
    const again = await buildCorpus({ pathOf: (s) => join(dir, 'data', s.file), provenance: ['test data'], outDir: join(dir, 'again'), sources, size: 32, cropsPerPhoto: 3, seed: 5, validation: ['beta'] });
    expect(again.images).toEqual(manifest.images);
    const a = await readFile(join(dir, 'out', 'images', 'alpha-001.png'));
    expect(a.equals(await readFile(join(dir, 'again', 'images', 'alpha-001.png')))).toBe(true);
    const other = await buildCorpus({ pathOf: (s) => join(dir, 'data', s.file), provenance: ['test data'], outDir: join(dir, 'other'), sources, size: 32, cropsPerPhoto: 3, seed: 6, validation: [] });
    expect(other.images.map((i) => i.crop)).not.toEqual(manifest.images.map((i) => i.crop));
  });

  it('names a validation photo that is not in the corpus, and a missing source file', async () => {
    await expect(buildCorpus({ pathOf: (s) => join(dir, 'data', s.file), provenance: ['t'], outDir: join(dir, 'bad'), sources, validation: ['gamma'] }))
      .rejects.toThrow(/validation photo 'gamma' is not in the corpus \(known: alpha, beta\)/);
    await expect(buildCorpus({ pathOf: (s) => join(dir, 'data', s.file), provenance: ['t'], outDir: join(dir, 'bad2'), sources: [source('missing')], validation: [] }))
      .rejects.toThrow(/missing\.png: cannot read file/);
  });

  it('locates sources in a --from folder and names the missing ones', async () => {
    const located = await locateSources(sources, { from: join(dir, 'data'), workDir: join(dir, 'debs') });
    expect(located.pathOf(sources[0]!)).toBe(join(dir, 'data', 'alpha.png'));
    expect(located.provenance).toEqual([`folder given with --from: ${join(dir, 'data')}`]);
    await expect(locateSources([...sources, source('gamma')], { from: join(dir, 'data'), workDir: join(dir, 'debs') }))
      .rejects.toThrow(`${join(dir, 'data')}: missing source photos gamma.png`);
  });

  it('lists only public-domain or CC0 photos with an author and origin', () => {
    expect(CORPUS_SOURCES.length).toBeGreaterThanOrEqual(8);
    for (const s of CORPUS_SOURCES) {
      expect(['Public domain', 'CC0 1.0']).toContain(s.licence);
      expect(s.author.length).toBeGreaterThan(0);
      expect(s.origin.length).toBeGreaterThan(0);
    }
  });
});

describe('shipped sample photos', () => {
  it('each listed sample exists, is at most 512 px, and is named in LICENSES.md', async () => {
    const samples = new URL('../../../resources/samples/', import.meta.url).pathname;
    const licences = await readFile(join(samples, 'LICENSES.md'), 'utf8');
    const listed = CORPUS_SOURCES.filter((s) => s.sample);
    expect(listed.length).toBeGreaterThanOrEqual(8);
    for (const s of listed) {
      const image = await readImage(join(samples, `${s.name}.jpg`));
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(512);
      expect(licences).toContain(`| ${s.name}.jpg | ${s.title} | ${s.author} | ${s.licence} |`);
    }
    const files = (await readdir(samples)).filter((f) => f.endsWith('.jpg')).sort();
    expect(files).toEqual(listed.map((s) => `${s.name}.jpg`).sort());
  });
});
