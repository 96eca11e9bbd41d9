/**
 * Renders docs/teachers/: one overview of every built-in concept teacher on one sample photo, and
 * before/after strips for a few concepts on several photos. Run: npx tsx scripts/corpus-teacher-gallery.ts
 */
import { join } from 'node:path';
import { createImage, type RgbImage } from '../native-models/image/image';
import { readImage, writeImage } from '../native-models/image/io';
import { resizeCover } from '../native-models/image/transform';
import { getTeacher, listTeachers } from '../native-models/teachers/registry';

const SAMPLES = 'resources/samples';
const OUT = 'docs/teachers';

/** Pastes tiles left-to-right, top-to-bottom into a grid with `columns` columns and a 4 px gutter. */
function grid(tiles: readonly RgbImage[], columns: number): RgbImage {
  const tile = tiles[0]!;
  const gutter = 4;
  const rows = Math.ceil(tiles.length / columns);
  const sheet = createImage(columns * (tile.width + gutter) - gutter, rows * (tile.height + gutter) - gutter, 1);
  tiles.forEach((image, k) => {
    const ox = (k % columns) * (tile.width + gutter);
    const oy = Math.floor(k / columns) * (tile.height + gutter);
    for (let y = 0; y < image.height; y++) {
      sheet.data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((oy + y) * sheet.width + ox) * 3);
    }
  });
  return sheet;
}

async function photo(name: string, size: number): Promise<RgbImage> {
  return resizeCover(await readImage(join(SAMPLES, `${name}.jpg`)), size, size);
}

async function main(): Promise<void> {
  const overviewPhoto = await photo('chelsea', 160);
  const tiles = [overviewPhoto, ...listTeachers().map((t) => t.apply(overviewPhoto))];
  await writeImage(join(OUT, 'all-teachers-chelsea.jpg'), grid(tiles, 6), { quality: 82 });
  const strips: Array<[string, string[]]> = [
    ['watercolour', ['seeding', 'astronaut', 'rocket']],
    ['halftone', ['coffee', 'astronaut', 'camera']],
    ['autumn-foliage', ['seeding', 'coffee', 'brick']],
  ];
  for (const [id, photos] of strips) {
    const teacher = getTeacher(id);
    const inputs = await Promise.all(photos.map((name) => photo(name, 192)));
    // Top row: inputs; bottom row: the teacher's targets.
    await writeImage(join(OUT, `${id}.jpg`), grid([...inputs, ...inputs.map((image) => teacher.apply(image))], inputs.length), { quality: 82 });
  }
  console.log(`wrote ${strips.length + 1} images to ${OUT}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
