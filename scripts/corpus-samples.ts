/**
 * Rebuilds resources/samples/ (the app's small demo photo set) and its LICENSES.md from Debian's
 * python3-skimage data. Run: npx tsx scripts/corpus-samples.ts [--from DIR]
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { readImage, writeImage } from '../native-models/image/io';
import { CORPUS_SOURCES, DEBIAN_PACKAGE } from './corpus-sources';
import { locateSkimageData } from './corpus-debian';

const SAMPLE_MAX_SIDE = 512;
const SAMPLE_QUALITY = 85;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string', default: 'resources/samples' } } });
  const { dir: dataDir } = await locateSkimageData({ from: values.from, workDir: join(tmpdir(), 'e2gan-skimage'), log: console.log });
  const outDir = values.out!;
  await mkdir(outDir, { recursive: true });
  const rows: string[] = [];
  for (const source of CORPUS_SOURCES.filter((s) => s.sample)) {
    const image = await readImage(join(dataDir, source.file), { maxSide: SAMPLE_MAX_SIDE });
    const file = `${source.name}.jpg`;
    await writeImage(join(outDir, file), image, { quality: SAMPLE_QUALITY });
    rows.push(`| ${file} | ${source.title} | ${source.author} | ${source.licence} | ${source.origin} |`);
    console.log(`${file} ${image.width}x${image.height}`);
  }
  const licences = [
    '# Sample photos: sources and licences',
    '',
    `Every photo here comes from the scikit-image sample data as packaged by Debian (\`${DEBIAN_PACKAGE}\`,`,
    'folder `skimage/data`). Licences are those stated in that package\'s `skimage/data/_fetchers.py`',
    'docstrings; only public-domain and CC0 photographs were kept. Files were resized to at most',
    `${SAMPLE_MAX_SIDE} px on the longer side and re-encoded as JPEG (quality ${SAMPLE_QUALITY}) by`,
    '`npx tsx scripts/corpus-samples.ts`. Grayscale originals stay grayscale (stored as RGB).',
    '',
    '| File | Subject | Author | Licence | Original source |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'LICENSES.md'), licences);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
