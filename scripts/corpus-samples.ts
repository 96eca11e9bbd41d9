/**
 * Rebuilds resources/samples/ (the app's small demo photo set) and its LICENSES.md from Debian's
 * Debian packages listed in corpus-sources.ts. Run: npx tsx scripts/corpus-samples.ts [--from DIR]
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { decodeImage, writeImage } from '../native-models/image/io';
import { CORPUS_SOURCES } from './corpus-sources';
import { locateSources } from './corpus-debian';

const SAMPLE_MAX_SIDE = 512;
const SAMPLE_QUALITY = 85;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string', default: 'resources/samples' } } });
  const samples = CORPUS_SOURCES.filter((s) => s.sample);
  const located = await locateSources(samples, { from: values.from, workDir: join(tmpdir(), 'e2gan-corpus-debs'), log: console.log });
  const outDir = values.out!;
  await mkdir(outDir, { recursive: true });
  const rows: string[] = [];
  for (const source of samples) {
    const image = await decodeImage(await located.readSource(source), `${source.package}: ${source.file}`, { maxSide: SAMPLE_MAX_SIDE });
    const file = `${source.name}.jpg`;
    await writeImage(join(outDir, file), image, { quality: SAMPLE_QUALITY });
    rows.push(`| ${file} | ${source.title} | ${source.author} | ${source.licence} | ${source.origin} | ${source.package} |`);
    console.log(`${file} ${image.width}x${image.height}`);
  }
  const licences = [
    '# Sample photos: sources and licences',
    '',
    'Every photo here comes from a Debian package: the scikit-image sample data (`python3-skimage`, folder',
    '`skimage/data`; licences as stated in its `_fetchers.py` docstrings) and one CC0 photo from',
    '`lomiri-wallpapers-16.04` (licence from its debian/copyright). Only public-domain and CC0 photographs',
    'were kept. Files were resized to at most',
    `${SAMPLE_MAX_SIDE} px on the longer side and re-encoded as JPEG (quality ${SAMPLE_QUALITY}) by`,
    '`npx tsx scripts/corpus-samples.ts`. Grayscale originals stay grayscale (stored as RGB).',
    '',
    '| File | Subject | Author | Licence | Original source | Debian package |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'LICENSES.md'), licences);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
