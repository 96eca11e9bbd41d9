/**
 * Builds the photo training corpus (kept out of the installer and the repository): licence-clean photos
 * from Debian packages (see corpus-sources.ts), each re-checked against its package's licence statement,
 * written as JPEGs no larger than --max-side, with corpus.json (every photo: package and version, original
 * path, licence, author, category, split) and LICENSES.md (attributions and what each licence requires).
 *
 *   npm run corpus -- [--out DIR] [--from PHOTO_DIR] [--max-side 512] [--eval NAME,…]
 *                     [--crops N --size 256 --seed 1]
 *
 * Layout: <out>/photos/ (training), <out>/eval/ (a fixed, named evaluation set that base training never
 * sees), and with --crops N > 0 also <out>/crops/ (N seeded crops + a centre crop per training photo).
 * Default --out is <studio data folder>/corpus.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeImage, writeImage } from '../native-models/image/io';
import { applyCrop, drawRandomCrop, resizeCover, type CropParams } from '../native-models/image/transform';
import { createRng, hashSeed } from '../native-models/util/rng';
import { resolveDataDir } from '../electron/paths';
import { CORPUS_SOURCES, PHOTO_CATEGORIES, type CorpusSource, type PhotoCategory } from './corpus-sources';
import { CORPUS_LICENCES, type CorpusLicence } from './corpus-licences';
import { locateSources } from './corpus-debian';

export const CORPUS_MANIFEST_VERSION = 2;

/**
 * The evaluation photos: one or two per category, fixed by name so every build (and every trainer and
 * benchmark reading corpus.json) agrees on what base training never sees.
 */
export const DEFAULT_EVALUATION: readonly string[] = [
  'astronaut',
  'coffee',
  'chelsea',
  'kingfisher',
  'picos-de-europa',
  'evening-glow',
  'summer-1am',
  'gateway-of-india',
  'drum-room',
  'taj-mahal',
  'yellow-flower',
  'mont-st-michel',
];

export interface CorpusOptions {
  /** The bytes of a source's photo (see locateSources). */
  readSource: (source: CorpusSource) => Promise<Uint8Array>;
  /** Debian version of a package, recorded per photo when known. */
  versionOf?: (pkg: string) => string | undefined;
  /** Recorded in the manifest: where the files came from. */
  provenance: string[];
  outDir: string;
  sources?: readonly CorpusSource[];
  /** Names of the photos that go to eval/ instead of photos/. */
  evaluation?: readonly string[];
  /** Longest side of the written photos (default 512); smaller photos are not enlarged. */
  maxSide?: number;
  /** JPEG quality of the written photos (default 92). */
  quality?: number;
  /** Seeded square crops of the training photos (default none). */
  crops?: { size: number; perPhoto: number; seed: number };
  log?: (line: string) => void;
}

export interface CorpusPhoto {
  name: string;
  /** Path relative to the corpus folder: photos/<name>.jpg or eval/<name>.jpg. */
  file: string;
  split: 'train' | 'eval';
  category: PhotoCategory;
  title: string;
  author: string;
  licence: CorpusLicence;
  licenceUrl: string;
  /** Where the licence is stated (package file or upstream document). */
  licenceStatedIn: string;
  origin: string;
  package: string;
  packageVersion: string | null;
  /** Path inside the package (bundle:member for photos inside a Qt resource bundle). */
  originalPath: string;
  width: number;
  height: number;
}

export interface CorpusCrop {
  file: string;
  source: string;
  width: number;
  height: number;
  /** The window in the written photo (pixels) and whether it was mirrored; absent for the centre crop. */
  crop?: CropParams;
}

export interface CorpusManifest {
  version: number;
  provenance: string[];
  maxSide: number;
  evaluation: string[];
  photos: CorpusPhoto[];
  crops: { size: number; perPhoto: number; seed: number; images: CorpusCrop[] } | null;
  counts: { byCategory: Record<string, number>; byLicence: Record<string, number>; bySplit: Record<string, number> };
}

function licenceStatedIn(source: CorpusSource): string {
  const e = source.licenceEvidence;
  if (e.kind === 'debian-copyright') return `usr/share/doc/${source.package}/copyright (Files: ${e.files})`;
  if (e.kind === 'gcompris-readme') return `${source.packageDir}/${source.bundle}:${e.readme}`;
  return e.where;
}

export async function buildCorpus(options: CorpusOptions): Promise<CorpusManifest> {
  const sources = options.sources ?? CORPUS_SOURCES;
  const maxSide = options.maxSide ?? 512;
  const evaluation = [...(options.evaluation ?? DEFAULT_EVALUATION)];
  const log = options.log ?? (() => {});
  const names = new Set<string>();
  for (const s of sources) {
    if (names.has(s.name)) throw new Error(`two corpus sources are named '${s.name}'`);
    names.add(s.name);
    if (!(s.licence in CORPUS_LICENCES)) throw new Error(`${s.name}: licence '${s.licence}' is not one the corpus accepts`);
  }
  const unknown = evaluation.filter((name) => !names.has(name));
  if (unknown.length) throw new Error(`evaluation photo${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} not in the corpus`);
  const evalSet = new Set(evaluation);

  // Everything is written to a staging folder first and swapped in at the end, so a training run reading
  // the corpus sees the old or the new one, never a half-written folder, and no file of an earlier, larger
  // build lingers unlisted in the manifest.
  const out = options.outDir;
  const staging = join(out, '.building');
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'photos'), { recursive: true });
  await mkdir(join(staging, 'eval'), { recursive: true });
  if (options.crops) await mkdir(join(staging, 'crops'), { recursive: true });

  const manifest: CorpusManifest = {
    version: CORPUS_MANIFEST_VERSION,
    provenance: options.provenance,
    maxSide,
    evaluation,
    photos: [],
    crops: options.crops ? { ...options.crops, images: [] } : null,
    counts: { byCategory: {}, byLicence: {}, bySplit: {} },
  };
  try {
    for (const source of sources) {
      const split = evalSet.has(source.name) ? 'eval' : 'train';
      const originalPath = `${source.packageDir}/${source.bundle ? `${source.bundle}:` : ''}${source.file}`;
      const image = await decodeImage(await options.readSource(source), `${source.package}: ${originalPath}`, { maxSide });
      const file = `${split === 'eval' ? 'eval' : 'photos'}/${source.name}.jpg`;
      await writeImage(join(staging, file), image, { quality: options.quality ?? 92 });
      manifest.photos.push({
        name: source.name,
        file,
        split,
        category: source.category,
        title: source.title,
        author: source.author,
        licence: source.licence,
        licenceUrl: CORPUS_LICENCES[source.licence].url,
        licenceStatedIn: licenceStatedIn(source),
        origin: source.origin,
        package: source.package,
        packageVersion: options.versionOf?.(source.package) ?? null,
        originalPath,
        width: image.width,
        height: image.height,
      });
      if (manifest.crops && split === 'train') {
        const { size, perPhoto, seed } = manifest.crops;
        // The centred square first, then random crops; each photo has its own stream so adding a photo
        // does not change the crops of the others.
        const centreFile = `crops/${source.name}-c.png`;
        await writeImage(join(staging, centreFile), resizeCover(image, size, size));
        manifest.crops.images.push({ file: centreFile, source: source.name, width: size, height: size });
        const rng = createRng(hashSeed(`${seed}:${source.name}`));
        for (let k = 0; k < perPhoto; k++) {
          const params = drawRandomCrop(image.width, image.height, rng, { width: size, height: size, minScale: 0.3, maxScale: 1 });
          const cropFile = `crops/${source.name}-${String(k).padStart(3, '0')}.png`;
          await writeImage(join(staging, cropFile), applyCrop(image, params, size, size));
          manifest.crops.images.push({ file: cropFile, source: source.name, width: size, height: size, crop: params });
        }
      }
      const bump = (record: Record<string, number>, key: string): void => {
        record[key] = (record[key] ?? 0) + 1;
      };
      bump(manifest.counts.byCategory, source.category);
      bump(manifest.counts.byLicence, source.licence);
      bump(manifest.counts.bySplit, split);
      log(`${source.name}: ${image.width}x${image.height} ${source.category}, ${source.licence} (${split})`);
    }
    await writeFile(join(staging, 'corpus.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(staging, 'LICENSES.md'), licencesMarkdown(manifest));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  // 'images' is the folder of the version-1 layout (full copies + crops), replaced by photos/ and crops/.
  for (const entry of ['photos', 'eval', 'crops', 'images', 'corpus.json', 'LICENSES.md']) {
    const target = join(out, entry);
    const staged = join(staging, entry);
    const old = join(out, `.old-${entry}`);
    await rm(old, { recursive: true, force: true });
    if (existsSync(target)) await rename(target, old);
    if (existsSync(staged)) await rename(staged, target);
    await rm(old, { recursive: true, force: true });
  }
  await rm(staging, { recursive: true, force: true });
  return manifest;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function licencesMarkdown(manifest: CorpusManifest): string {
  const used = [...new Set(manifest.photos.map((p) => p.licence))].sort();
  return [
    '# Training corpus: sources and licences',
    '',
    `Sources: ${manifest.provenance.join('; ')}.`,
    '',
    'Every file in photos/ and eval/ (and crops/, when built) is a resized copy (longest side at most',
    `${manifest.maxSide} px, re-encoded as JPEG) or a crop of the photograph named in its file name. Each photo's`,
    'licence and author below were checked against the package file named in corpus.json (licenceStatedIn).',
    '',
    '## What the licences require',
    '',
    ...used.map((licence) => {
      const l = CORPUS_LICENCES[licence as CorpusLicence];
      // Every copy here is changed (resized, re-encoded), which CC BY and BY-SA ask to be stated.
      const what = !l.attribution
        ? 'no conditions (authors named below as a courtesy)'
        : licence.includes('GPL')
          ? 'keep the author and licence notice (as below); shared adaptations stay under the same licence, with their source form'
          : l.shareAlike
            ? 'credit the author, link the licence and say the photo was changed (as below); shared adaptations under the same licence'
            : 'credit the author, link the licence and say the photo was changed (as below)';
      return `- **${licence}** (${l.url}): ${what}.`;
    }),
    '',
    '## Photos',
    '',
    '| File | Subject | Author | Licence | Original source | Package | Category |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...manifest.photos.map(
      (p) => `| ${p.file} | ${cell(p.title)} | ${cell(p.author)} | ${p.licence} | ${cell(p.origin)} | ${p.package} ${p.packageVersion ?? ''} | ${p.category} |`,
    ),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      from: { type: 'string' },
      'max-side': { type: 'string' },
      eval: { type: 'string' },
      crops: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
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
  const problems = await located.checkLicences(CORPUS_SOURCES);
  if (problems.length) throw new Error(`licence check failed; the corpus was not built:\n  ${problems.join('\n  ')}`);
  const perPhoto = int(values.crops, '--crops', 0, 0);
  const started = performance.now();
  const manifest = await buildCorpus({
    readSource: located.readSource,
    versionOf: located.versionOf,
    provenance: located.provenance,
    outDir,
    maxSide: int(values['max-side'], '--max-side', 512, 16),
    evaluation: values.eval !== undefined ? values.eval.split(',').filter(Boolean) : undefined,
    crops: perPhoto > 0 ? { perPhoto, size: int(values.size, '--size', 256, 8), seed: int(values.seed, '--seed', 1, 0) } : undefined,
    log: console.log,
  });
  const count = (record: Record<string, number>, order?: readonly string[]): string =>
    (order ?? Object.keys(record).sort())
      .filter((k) => record[k])
      .map((k) => `${k} ${record[k]}`)
      .join(', ');
  console.log(`by category: ${count(manifest.counts.byCategory, PHOTO_CATEGORIES)}`);
  console.log(`by licence: ${count(manifest.counts.byLicence)}`);
  console.log(
    `corpus: ${manifest.photos.length} photos (${manifest.counts.bySplit.train ?? 0} in ${join(outDir, 'photos')}, ` +
      `${manifest.counts.bySplit.eval ?? 0} in ${join(outDir, 'eval')})` +
      `${manifest.crops ? `, ${manifest.crops.images.length} crops in ${join(outDir, 'crops')}` : ''} ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
