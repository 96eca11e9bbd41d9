/**
 * Builds the photo training corpus (kept out of the installer): licence-clean photos from Debian's
 * packages (mostly python3-skimage's sample data), each as a full-size copy plus seeded augmentation crops at the training size,
 * with corpus.json (every file, its source photo, crop window and licence) and LICENSES.md.
 *
 *   npm run corpus -- [--out DIR] [--from PHOTO_DIR] [--size 256] [--crops 16] [--seed 1] [--val NAME,…]
 *
 * Default --out is <studio data folder>/corpus. Photos named in --val go to the validation split whole
 * (crops of one photo overlap, so splitting by crop would leak).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readImage, writeImage } from '../native-models/image/io';
import { applyCrop, drawRandomCrop, resizeCover, type CropParams } from '../native-models/image/transform';
import { createRng, hashSeed } from '../native-models/util/rng';
import { resolveDataDir } from '../electron/paths';
import { CORPUS_SOURCES, type CorpusSource } from './corpus-sources';
import { locateSources } from './corpus-debian';

export const CORPUS_MANIFEST_VERSION = 1;

export interface CorpusOptions {
  /** Absolute path of a source's photo file (see locateSources). */
  pathOf: (source: CorpusSource) => string;
  /** Recorded in the manifest: where the files came from. */
  provenance: string[];
  outDir: string;
  sources?: readonly CorpusSource[];
  size?: number;
  cropsPerPhoto?: number;
  seed?: number;
  validation?: readonly string[];
  /** Longest side of the full-size copies (default 1024). */
  fullMaxSide?: number;
  log?: (line: string) => void;
}

export interface CorpusImage {
  file: string;
  source: string;
  split: 'train' | 'val';
  kind: 'full' | 'crop';
  width: number;
  height: number;
  /** For crops: the window in the full-size copy (pixels) and whether it was mirrored. */
  crop?: CropParams;
}

export interface CorpusManifest {
  version: number;
  provenance: string[];
  size: number;
  cropsPerPhoto: number;
  seed: number;
  photos: Array<CorpusSource & { split: 'train' | 'val'; width: number; height: number }>;
  images: CorpusImage[];
}

export async function buildCorpus(options: CorpusOptions): Promise<CorpusManifest> {
  const sources = options.sources ?? CORPUS_SOURCES;
  const size = options.size ?? 256;
  const cropsPerPhoto = options.cropsPerPhoto ?? 16;
  const seed = options.seed ?? 1;
  const validation = new Set(options.validation ?? ['coffee', 'clock']);
  const log = options.log ?? (() => {});
  for (const name of validation) {
    if (!sources.some((s) => s.name === name)) {
      throw new Error(`validation photo '${name}' is not in the corpus (known: ${sources.map((s) => s.name).join(', ')})`);
    }
  }
  // Start clean so files of an earlier, larger build cannot linger unlisted in the manifest.
  await rm(join(options.outDir, 'images'), { recursive: true, force: true });
  await mkdir(join(options.outDir, 'images'), { recursive: true });

  const manifest: CorpusManifest = { version: CORPUS_MANIFEST_VERSION, provenance: options.provenance, size, cropsPerPhoto, seed, photos: [], images: [] };
  for (const source of sources) {
    const split = validation.has(source.name) ? 'val' : 'train';
    const full = await readImage(options.pathOf(source), { maxSide: options.fullMaxSide ?? 1024 });
    manifest.photos.push({ ...source, split, width: full.width, height: full.height });
    const fullFile = `images/${source.name}.full.png`;
    await writeImage(join(options.outDir, fullFile), full);
    manifest.images.push({ file: fullFile, source: source.name, split, kind: 'full', width: full.width, height: full.height });
    // The centred square at training size first, then random crops; each photo has its own stream so
    // adding a photo does not change the crops of the others.
    const centre = resizeCover(full, size, size);
    const centreFile = `images/${source.name}-c.png`;
    await writeImage(join(options.outDir, centreFile), centre);
    manifest.images.push({ file: centreFile, source: source.name, split, kind: 'crop', width: size, height: size });
    const rng = createRng(hashSeed(`${seed}:${source.name}`));
    for (let k = 0; k < cropsPerPhoto; k++) {
      const params = drawRandomCrop(full.width, full.height, rng, { width: size, height: size, minScale: 0.3, maxScale: 1 });
      const file = `images/${source.name}-${String(k).padStart(3, '0')}.png`;
      await writeImage(join(options.outDir, file), applyCrop(full, params, size, size));
      manifest.images.push({ file, source: source.name, split, kind: 'crop', width: size, height: size, crop: params });
    }
    log(`${source.name}: ${full.width}x${full.height}, ${cropsPerPhoto + 1} crops (${split})`);
  }
  await writeFile(join(options.outDir, 'corpus.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(options.outDir, 'LICENSES.md'), licencesMarkdown(manifest));
  return manifest;
}

function licencesMarkdown(manifest: CorpusManifest): string {
  return [
    '# Training corpus: sources and licences',
    '',
    `Sources: ${manifest.provenance.join('; ')}.`,
    'Licences as stated in skimage/data/_fetchers.py and the packages\' debian/copyright; only public-domain',
    'and CC0 photographs are included. Every file in images/ derives from the photo named in its file name',
    '(see corpus.json for the exact crop windows).',
    '',
    '| Photo | Subject | Author | Licence | Original source | Split |',
    '| --- | --- | --- | --- | --- | --- |',
    ...manifest.photos.map((p) => `| ${p.name} | ${p.title} | ${p.author} | ${p.licence} | ${p.origin} | ${p.split} |`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, from: { type: 'string' }, size: { type: 'string' }, crops: { type: 'string' },
      seed: { type: 'string' }, val: { type: 'string' },
    },
  });
  const int = (value: string | undefined, flag: string, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}, got '${value}'`);
    return n;
  };
  const outDir = resolve(values.out ?? join(resolveDataDir(), 'corpus'));
  const located = await locateSources(CORPUS_SOURCES, { from: values.from, workDir: join(tmpdir(), 'e2gan-corpus-debs'), log: console.log });
  const started = performance.now();
  const manifest = await buildCorpus({
    pathOf: located.pathOf,
    provenance: located.provenance,
    outDir,
    size: int(values.size, '--size', 256, 8),
    cropsPerPhoto: int(values.crops, '--crops', 16, 0),
    seed: int(values.seed, '--seed', 1, 0),
    validation: values.val !== undefined ? values.val.split(',').filter(Boolean) : undefined,
    log: console.log,
  });
  const crops = manifest.images.filter((i) => i.kind === 'crop');
  console.log(`corpus: ${manifest.photos.length} photos, ${crops.length} crops (${crops.filter((c) => c.split === 'val').length} val) in ${outDir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
