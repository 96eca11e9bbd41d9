import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, DEFAULT_EVALUATION, type CorpusManifest } from '../../../scripts/corpus';
import type { CorpusSource } from '../../../scripts/corpus-sources';
import { CORPUS_SOURCES, PHOTO_CATEGORIES } from '../../../scripts/corpus-sources';
import { flatFileName, locateSources } from '../../../scripts/corpus-debian';
import { CORPUS_LICENCES, licenceInDebianCopyright, licenceInGcomprisReadme, normaliseLicence } from '../../../scripts/corpus-licences';
import { readRcc } from '../../../scripts/corpus-rcc';
import { createImage } from '../../../native-models/image/image';
import { encodeImage, readImage, writeImage } from '../../../native-models/image/io';
import { applyCrop } from '../../../native-models/image/transform';
import { psnr } from '../../../native-models/image/metrics';
import { createRng } from '../../../native-models/util/rng';

const source = (name: string, extra: Partial<CorpusSource> = {}): CorpusSource => ({
  package: 'test',
  packageDir: '.',
  file: `${name}.png`,
  name,
  title: `${name} title`,
  author: `${name} author`,
  licence: 'CC0 1.0',
  origin: 'generated',
  category: 'objects',
  licenceEvidence: { kind: 'upstream', where: 'test' },
  sample: false,
  grayscale: false,
  ...extra,
});

/**
 * A Qt resource bundle (format version 2) written by hand from the layout in qtbase's qresource.cpp, so
 * the reader is checked against the format rather than against itself. `files` maps "dir/name" to bytes;
 * entries named in `compress` are stored zlib-compressed the way rcc stores them.
 */
function writeRcc(files: Record<string, Uint8Array>, compress: ReadonlySet<string> = new Set()): Buffer {
  type Dir = { name: string; children: Map<string, Dir | { name: string; path: string }> };
  const root: Dir = { name: '', children: new Map() };
  for (const path of Object.keys(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (!dir.children.has(part)) dir.children.set(part, { name: part, children: new Map() });
      dir = dir.children.get(part) as Dir;
    }
    dir.children.set(parts.at(-1)!, { name: parts.at(-1)!, path });
  }
  const names: Buffer[] = [];
  let namesLength = 0;
  const nameOffset = new Map<string, number>();
  const addName = (name: string): number => {
    if (nameOffset.has(name)) return nameOffset.get(name)!;
    const utf16 = Buffer.from(name, 'utf16le').swap16();
    const header = Buffer.alloc(6);
    header.writeUInt16BE(name.length, 0);
    header.writeUInt32BE(0, 2); // hash: unused by the reader
    nameOffset.set(name, namesLength);
    names.push(header, utf16);
    namesLength += 6 + utf16.length;
    return nameOffset.get(name)!;
  };
  const data: Buffer[] = [];
  let dataLength = 0;
  // Breadth-first numbering: a directory's children occupy consecutive node indices.
  const nodes: Buffer[] = [];
  const queue: Array<{ node: Dir | { name: string; path: string }; index: number }> = [{ node: root, index: 0 }];
  nodes.push(Buffer.alloc(22));
  while (queue.length) {
    const { node, index } = queue.shift()!;
    const entry = nodes[index]!;
    entry.writeUInt32BE(node.name ? addName(node.name) : 0, 0);
    if ('children' in node) {
      entry.writeUInt16BE(0x02, 4);
      entry.writeUInt32BE(node.children.size, 6);
      entry.writeUInt32BE(nodes.length, 10);
      for (const child of node.children.values()) {
        queue.push({ node: child, index: nodes.length });
        nodes.push(Buffer.alloc(22));
      }
    } else {
      const raw = Buffer.from(files[node.path]!);
      let stored = raw;
      if (compress.has(node.path)) {
        const size = Buffer.alloc(4);
        size.writeUInt32BE(raw.length, 0);
        stored = Buffer.concat([size, deflateSync(raw)]);
        entry.writeUInt16BE(0x01, 4);
      }
      const length = Buffer.alloc(4);
      length.writeUInt32BE(stored.length, 0);
      entry.writeUInt32BE(dataLength, 10);
      data.push(length, stored);
      dataLength += 4 + stored.length;
    }
  }
  const header = Buffer.alloc(20);
  header.write('qres', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  const tree = Buffer.concat(nodes);
  header.writeUInt32BE(20, 8);
  header.writeUInt32BE(20 + tree.length, 12);
  header.writeUInt32BE(20 + tree.length + dataLength, 16);
  return Buffer.concat([header, tree, ...data, ...names]);
}

describe('photo corpus builder', () => {
  let dir: string;
  let manifest: CorpusManifest;
  const sources = [
    source('alpha', { licence: 'CC-BY-SA 4.0', author: 'Ann Author', category: 'landscape', package: 'pkg-a', packageDir: 'usr/share/backgrounds' }),
    source('beta', { licence: 'Public domain', category: 'animals', package: 'pkg-b', bundle: 'pics.rcc', file: 'res/beta.png' }),
    source('gamma', { licence: 'GPL-2+', author: 'Gus | Pipe', category: 'night' }),
  ];
  const sizes: Record<string, [number, number]> = { alpha: [900, 600], beta: [300, 200], gamma: [400, 700] };
  const read = (s: CorpusSource) => readFile(join(dir, 'data', flatFileName(s)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-'));
    const rng = createRng(3);
    for (const s of sources) {
      const image = createImage(...sizes[s.name]!);
      image.data.forEach((_, k) => (image.data[k] = rng.next()));
      await writeImage(join(dir, 'data', flatFileName(s)), image);
    }
    manifest = await buildCorpus({
      readSource: read,
      versionOf: (pkg) => (pkg === 'pkg-a' ? '1.2-3' : undefined),
      provenance: ['test data'],
      outDir: join(dir, 'out'),
      sources,
      evaluation: ['gamma'],
      maxSide: 256,
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes training photos to photos/ and the named evaluation photos to eval/, at most maxSide, never enlarged', async () => {
    expect((await readdir(join(dir, 'out', 'photos'))).sort()).toEqual(['alpha.jpg', 'beta.jpg']);
    expect(await readdir(join(dir, 'out', 'eval'))).toEqual(['gamma.jpg']);
    expect(existsSync(join(dir, 'out', 'crops'))).toBe(false);
    expect(manifest.photos.map((p) => [p.width, p.height])).toEqual([
      [256, 171],
      [256, 171],
      [146, 256],
    ]);
    for (const photo of manifest.photos) {
      const image = await readImage(join(dir, 'out', photo.file));
      expect([image.width, image.height]).toEqual([photo.width, photo.height]);
    }
    const small = await buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'big'), sources, evaluation: [], maxSide: 1000 });
    expect(small.photos.map((p) => [p.width, p.height])).toEqual([sizes.alpha, sizes.beta, sizes.gamma]);
  });

  it('records per photo the package, version, original path, licence, author and split, in corpus.json and LICENSES.md', async () => {
    const onDisk = JSON.parse(await readFile(join(dir, 'out', 'corpus.json'), 'utf8')) as CorpusManifest;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(manifest.version).toBe(2);
    expect(manifest.evaluation).toEqual(['gamma']);
    expect(
      manifest.photos.map(({ name, file, split, category, licence, author, package: pkg, packageVersion, originalPath }) => ({
        name,
        file,
        split,
        category,
        licence,
        author,
        pkg,
        packageVersion,
        originalPath,
      })),
    ).toEqual([
      {
        name: 'alpha',
        file: 'photos/alpha.jpg',
        split: 'train',
        category: 'landscape',
        licence: 'CC-BY-SA 4.0',
        author: 'Ann Author',
        pkg: 'pkg-a',
        packageVersion: '1.2-3',
        originalPath: 'usr/share/backgrounds/alpha.png',
      },
      {
        name: 'beta',
        file: 'photos/beta.jpg',
        split: 'train',
        category: 'animals',
        licence: 'Public domain',
        author: 'beta author',
        pkg: 'pkg-b',
        packageVersion: null,
        originalPath: './pics.rcc:res/beta.png',
      },
      {
        name: 'gamma',
        file: 'eval/gamma.jpg',
        split: 'eval',
        category: 'night',
        licence: 'GPL-2+',
        author: 'Gus | Pipe',
        pkg: 'test',
        packageVersion: null,
        originalPath: './gamma.png',
      },
    ]);
    expect(manifest.photos[0]!.licenceUrl).toBe('https://creativecommons.org/licenses/by-sa/4.0/');
    expect(manifest.counts).toEqual({
      byCategory: { landscape: 1, animals: 1, night: 1 },
      byLicence: { 'CC-BY-SA 4.0': 1, 'Public domain': 1, 'GPL-2+': 1 },
      bySplit: { train: 2, eval: 1 },
    });
    const licences = await readFile(join(dir, 'out', 'LICENSES.md'), 'utf8');
    expect(licences).toContain('| photos/alpha.jpg | alpha title | Ann Author | CC-BY-SA 4.0 | generated | pkg-a 1.2-3 | landscape |');
    // A "|" in an author must not break the table.
    expect(licences).toContain('| eval/gamma.jpg | gamma title | Gus \\| Pipe | GPL-2+ |');
    expect(licences).toContain(
      '- **CC-BY-SA 4.0** (https://creativecommons.org/licenses/by-sa/4.0/): credit the author, link the licence and say the photo was changed (as below); shared adaptations under the same licence.',
    );
    expect(licences).toContain('- **GPL-2+** (https://www.gnu.org/licenses/old-licenses/gpl-2.0.html): keep the author and licence notice');
    expect(licences).toContain('- **Public domain** (https://creativecommons.org/publicdomain/mark/1.0/): no conditions');
    expect(licences).not.toContain('**CC0 1.0**');
  });

  it('replaces an earlier build whole, and leaves it untouched when a build fails', async () => {
    const out = join(dir, 'rebuild');
    await buildCorpus({ readSource: read, provenance: ['t'], outDir: out, sources, evaluation: ['beta'], crops: { size: 16, perPhoto: 1, seed: 1 } });
    const again = await buildCorpus({ readSource: read, provenance: ['t'], outDir: out, sources: sources.slice(0, 1), evaluation: [] });
    const onDisk = [...(await readdir(join(out, 'photos'))).map((f) => `photos/${f}`), ...(await readdir(join(out, 'eval'))).map((f) => `eval/${f}`)];
    expect(onDisk).toEqual(again.photos.map((p) => p.file));
    expect((await readdir(out)).sort()).toEqual(['LICENSES.md', 'corpus.json', 'eval', 'photos']);
    const failing = async (s: CorpusSource) => (s.name === 'gamma' ? Buffer.from('truncated') : read(s));
    await expect(buildCorpus({ readSource: failing, provenance: ['t'], outDir: out, sources, evaluation: [] })).rejects.toThrow(/gamma\.png/);
    expect(await readdir(join(out, 'photos'))).toEqual(['alpha.jpg']);
    expect((await readdir(out)).sort()).toEqual(['LICENSES.md', 'corpus.json', 'eval', 'photos']);
    expect((JSON.parse(await readFile(join(out, 'corpus.json'), 'utf8')) as CorpusManifest).photos).toHaveLength(1);
  });

  it('writes seeded crops of training photos only when asked, reproducibly, with windows that reproduce the files', async () => {
    const crops = { size: 32, perPhoto: 3, seed: 5 };
    const a = await buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'c1'), sources, evaluation: ['gamma'], crops });
    expect(a.crops!.images).toHaveLength(2 * (1 + 3));
    expect(a.crops!.images.every((c) => c.source !== 'gamma')).toBe(true);
    expect((await readdir(join(dir, 'c1', 'crops'))).sort()).toEqual(a.crops!.images.map((c) => c.file.replace('crops/', '')).sort());
    const entry = a.crops!.images.find((c) => c.crop)!;
    const photo = await readImage(join(dir, 'c1', `photos/${entry.source}.jpg`));
    expect(psnr(applyCrop(photo, entry.crop!, 32, 32), await readImage(join(dir, 'c1', entry.file)))).toBeGreaterThan(45);
    const b = await buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'c2'), sources, evaluation: ['gamma'], crops });
    expect(b.crops!.images).toEqual(a.crops!.images);
    const c = await buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'c3'), sources, evaluation: ['gamma'], crops: { ...crops, seed: 6 } });
    expect(c.crops!.images.map((i) => i.crop)).not.toEqual(a.crops!.images.map((i) => i.crop));
  });

  it('names unknown evaluation photos, duplicate names and unreadable sources', async () => {
    await expect(
      buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'bad'), sources, evaluation: ['delta', 'alpha', 'omega'] }),
    ).rejects.toThrow("evaluation photos 'delta', 'omega' not in the corpus");
    await expect(
      buildCorpus({ readSource: read, provenance: ['t'], outDir: join(dir, 'bad'), sources: [...sources, source('alpha')], evaluation: [] }),
    ).rejects.toThrow("two corpus sources are named 'alpha'");
    await expect(
      buildCorpus({
        readSource: async () => Buffer.from('not an image'),
        provenance: ['t'],
        outDir: join(dir, 'bad'),
        sources: [source('broken')],
        evaluation: [],
      }),
    ).rejects.toThrow(/test: \.\/broken\.png/);
  });

  it('locates sources in a --from folder and names the missing ones', async () => {
    const located = await locateSources(sources, { from: join(dir, 'data'), workDir: join(dir, 'debs') });
    expect(Buffer.from(await located.readSource(sources[1]!)).equals(await readFile(join(dir, 'data', 'beta.png')))).toBe(true);
    expect(located.provenance).toEqual([`folder given with --from: ${join(dir, 'data')} (licences not re-checked against packages)`]);
    await expect(locateSources([...sources, source('delta')], { from: join(dir, 'data'), workDir: join(dir, 'debs') })).rejects.toThrow(
      `${join(dir, 'data')}: missing source photos delta.png`,
    );
  });
});

describe('licence statements', () => {
  const copyright = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: wallpapers',
    '',
    'Files: *',
    'Copyright: 2014 Some Design Group',
    'License: GPL-2+',
    '',
    'Files: 16.04/lake_by_Ann.jpg',
    '       16.04/hill_by_Ann.jpg',
    'Copyright: Ann Author, 2018',
    'License: CC-BY-4.0',
    '',
    'Files: 16.04/secret.jpg',
    'Copyright: Nobody',
    'License: Proprietary',
    '',
    'License: GPL-2+',
    ' This package is free software; you can redistribute it',
    ' .',
    ' Files: not a field, a continuation line',
  ].join('\n');

  it('finds the DEP-5 stanza governing a file (the last match wins) and whether it names the file', () => {
    expect(licenceInDebianCopyright(copyright, '16.04/hill_by_Ann.jpg')).toEqual({ licence: 'CC-BY-4.0', copyright: 'Ann Author, 2018', exact: true });
    expect(licenceInDebianCopyright(copyright, 'Path/contents/images/2560x1600.jpg')).toEqual({
      licence: 'GPL-2+',
      copyright: '2014 Some Design Group',
      exact: false,
    });
    expect(licenceInDebianCopyright('Format: x\n\nFiles: a/*\nCopyright: A\nLicense: CC0-1.0\n', 'b/c.jpg')).toBeUndefined();
  });

  it('finds the GCompris README stanza listing a file', () => {
    const readme =
      'Copyright: Timothee Giet, 2018\nLicense: CC-BY-SA 4.0\nFiles:\nkey.svg\n\nCopyright: Daniel Schwen\nLicense: CC-BY-SA 4.0\nSource: https://commons.wikimedia.org/wiki/File:X.jpg\nFiles:\nwonders/x.webp\nwonders/y.webp\n\nCopyright: Z\nFiles: z.webp\nLicense: Public domain\nComments: cropping\n';
    expect(licenceInGcomprisReadme(readme, 'wonders/y.webp')).toEqual({
      licence: 'CC-BY-SA 4.0',
      copyright: 'Daniel Schwen',
      source: 'https://commons.wikimedia.org/wiki/File:X.jpg',
    });
    expect(licenceInGcomprisReadme(readme, 'z.webp')?.licence).toBe('Public domain');
    expect(licenceInGcomprisReadme(readme, 'x.webp')).toBeUndefined();
  });

  it('accepts only licences that allow redistribution and training, in the spellings packages use', () => {
    expect(['CC-BY-SA-4.0', 'CC-BY-SA 4.0', 'cc-by-2.0', 'public-domain', 'Public Domain', 'CC0-1.0', 'GPL-2+', 'LGPLv3'].map(normaliseLicence)).toEqual([
      'CC-BY-SA 4.0',
      'CC-BY-SA 4.0',
      'CC-BY 2.0',
      'Public domain',
      'Public domain',
      'CC0 1.0',
      'GPL-2+',
      'LGPL-3',
    ]);
    for (const rejected of ['CC-BY-NC-4.0', 'CC-BY-ND 4.0', 'Proprietary', '', 'CC-BY-SA 9.0', 'GFDL-NIV-1.2'])
      expect(normaliseLicence(rejected)).toBeUndefined();
  });
});

describe('Debian package sources (unpacked package fixture)', () => {
  let dir: string;
  const png = async (seed: number): Promise<Buffer> => {
    const image = createImage(40, 30);
    const rng = createRng(seed);
    image.data.forEach((_, k) => (image.data[k] = rng.next()));
    return encodeImage(image, 'png');
  };
  const readme =
    'Copyright: Daniel Schwen\nLicense: CC-BY-SA 4.0\nSource: https://example.org/x\nFiles:\nwonders/x.png\n\nCopyright: Kurt Kaiser\nLicense: CC0-1.0\nFiles:\nwonders/y.png\n';
  const wall = (name: string, extra: Partial<CorpusSource>): CorpusSource =>
    source(name, {
      package: 'fake-wallpapers',
      packageDir: 'usr/share/backgrounds',
      file: `${name}.png`,
      licenceEvidence: { kind: 'debian-copyright', files: `16.04/${name}.png` },
      ...extra,
    });
  const bundled = (name: string, extra: Partial<CorpusSource>): CorpusSource =>
    source(name, {
      package: 'fake-gcompris',
      packageDir: 'usr/share/rcc',
      bundle: 'mon.rcc',
      file: `res/wonders/${name}.png`,
      licenceEvidence: { kind: 'gcompris-readme', readme: 'res/README', files: `wonders/${name}.png` },
      ...extra,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-debs-'));
    // What `apt-get download` + `dpkg -x` leave behind: the .deb (its version is in the name) and root/.
    const wallRoot = join(dir, 'fake-wallpapers', 'root');
    await mkdir(join(wallRoot, 'usr/share/backgrounds'), { recursive: true });
    await mkdir(join(wallRoot, 'usr/share/doc/fake-wallpapers'), { recursive: true });
    await writeFile(join(dir, 'fake-wallpapers', 'fake-wallpapers_1%3a2.0-1_all.deb'), '');
    await writeFile(join(wallRoot, 'usr/share/backgrounds/lake.png'), await png(1));
    await writeFile(join(wallRoot, 'usr/share/backgrounds/secret.png'), await png(2));
    await writeFile(
      join(wallRoot, 'usr/share/doc/fake-wallpapers/copyright'),
      'Format: x\n\nFiles: *\nCopyright: Group\nLicense: GPL-2+\n\nFiles: 16.04/lake.png\nCopyright: Ann Author, 2018\nLicense: CC-BY-4.0\n\nFiles: 16.04/secret.png\nCopyright: Nobody\nLicense: Proprietary\n',
    );
    const gcRoot = join(dir, 'fake-gcompris', 'root');
    await mkdir(join(gcRoot, 'usr/share/rcc'), { recursive: true });
    await writeFile(join(dir, 'fake-gcompris', 'fake-gcompris_3.1-2_all.deb'), '');
    await writeFile(
      join(gcRoot, 'usr/share/rcc/mon.rcc'),
      writeRcc(
        {
          'res/README': Buffer.from(readme),
          'res/wonders/x.png': await png(3),
          'res/wonders/y.png': await png(4),
        },
        new Set(['res/wonders/y.png']),
      ),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads plain and bundled photos, records package versions, and passes photos whose records match their package', async () => {
    const good = [
      wall('lake', { licence: 'CC-BY 4.0', author: 'Ann Author' }),
      bundled('x', { licence: 'CC-BY-SA 4.0', author: 'Daniel Schwen' }),
      bundled('y', { licence: 'CC0 1.0', author: 'Kurt Kaiser' }),
    ];
    const located = await locateSources(good, { workDir: dir });
    expect(located.versionOf('fake-wallpapers')).toBe('1:2.0-1');
    expect(located.versionOf('fake-gcompris')).toBe('3.1-2');
    expect(Buffer.from(await located.readSource(good[2]!)).equals(await png(4))).toBe(true);
    expect(await located.checkLicences(good)).toEqual([]);
    const manifest = await buildCorpus({
      readSource: located.readSource,
      versionOf: located.versionOf,
      provenance: located.provenance,
      outDir: join(dir, 'out'),
      sources: good,
      evaluation: ['y'],
    });
    expect(manifest.photos.map((p) => [p.name, p.packageVersion, p.originalPath, p.licenceStatedIn])).toEqual([
      ['lake', '1:2.0-1', 'usr/share/backgrounds/lake.png', 'usr/share/doc/fake-wallpapers/copyright (Files: 16.04/lake.png)'],
      ['x', '3.1-2', 'usr/share/rcc/mon.rcc:res/wonders/x.png', 'usr/share/rcc/mon.rcc:res/README'],
      ['y', '3.1-2', 'usr/share/rcc/mon.rcc:res/wonders/y.png', 'usr/share/rcc/mon.rcc:res/README'],
    ]);
  });

  it('names every photo whose recorded licence or author differs from what its package states', async () => {
    const located = await locateSources([wall('lake', {}), wall('secret', {}), bundled('x', {})], { workDir: dir });
    expect(
      await located.checkLicences([
        wall('lake', { licence: 'CC-BY-SA 4.0', author: 'Ann Author' }),
        wall('secret', { licence: 'CC0 1.0', author: 'Nobody' }),
        bundled('x', { licence: 'CC-BY-SA 4.0', author: 'Someone Else' }),
        bundled('w', { licence: 'CC0 1.0', author: 'W' }),
        wall('sky', { licence: 'GPL-2+', author: 'Not The Group', licenceEvidence: { kind: 'debian-copyright', files: 'Sky/contents/images/2560x1600.jpg' } }),
      ]),
    ).toEqual([
      "lake: recorded licence 'CC-BY-SA 4.0' but fake-wallpapers's debian/copyright says 'CC-BY-4.0'",
      "secret: recorded licence 'CC0 1.0' but fake-wallpapers's debian/copyright says 'Proprietary' (not an accepted licence)",
      "x: recorded author 'Someone Else' is not in res/README in mon.rcc's Copyright 'Daniel Schwen'",
      'w: res/README in mon.rcc has no licence stanza for wonders/w.png',
    ]);
  });

  it('reads Qt resource bundles, stored and zlib-compressed, and rejects what is not one', async () => {
    const files = readRcc(writeRcc({ 'a/b/c.txt': Buffer.from('hello'), 'a/d.txt': Buffer.from('world '.repeat(50)) }, new Set(['a/d.txt'])), 'test.rcc');
    expect([...files.keys()].sort()).toEqual(['a/b/c.txt', 'a/d.txt']);
    expect(Buffer.from(files.get('a/d.txt')!).toString()).toBe('world '.repeat(50));
    expect(() => readRcc(Buffer.from('PK\x03\x04 not a bundle at all'), 'x.rcc')).toThrow('x.rcc: not a readable Qt resource bundle (no "qres" header)');
    const truncated = writeRcc({ 'a.txt': Buffer.from('hello') }).subarray(0, 40);
    expect(() => readRcc(truncated, 't.rcc')).toThrow(/t\.rcc: not a readable Qt resource bundle \(offset \d+\+\d+ past the end/);
  });
});

describe('corpus source list', () => {
  it('has at least 100 photos with unique names, accepted licences, authors, origins and machine-checkable evidence where the package states it', () => {
    expect(CORPUS_SOURCES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(CORPUS_SOURCES.map((s) => s.name)).size).toBe(CORPUS_SOURCES.length);
    for (const s of CORPUS_SOURCES) {
      expect(Object.keys(CORPUS_LICENCES)).toContain(s.licence);
      expect(s.author.length).toBeGreaterThan(0);
      expect(s.origin.length).toBeGreaterThan(0);
      expect(PHOTO_CATEGORIES).toContain(s.category);
      // opencv-doc's samples are reserved for independent evaluation.
      expect(s.package).not.toMatch(/opencv/);
      if (s.bundle) expect(s.licenceEvidence.kind).toBe('gcompris-readme');
    }
  });

  it('holds out a fixed evaluation set spanning the categories', () => {
    const byName = new Map(CORPUS_SOURCES.map((s) => [s.name, s]));
    expect(DEFAULT_EVALUATION.length).toBeGreaterThanOrEqual(10);
    for (const name of DEFAULT_EVALUATION) expect(byName.has(name)).toBe(true);
    expect(new Set(DEFAULT_EVALUATION.map((n) => byName.get(n)!.category)).size).toBeGreaterThanOrEqual(7);
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
