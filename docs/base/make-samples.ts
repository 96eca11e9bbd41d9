/**
 * Regenerates the sample strips in this folder: for each evaluation photo (never trained on) and a few
 * pre-trained concepts, one JPEG  input | shipped base output | exact teacher target.
 *
 *   npx tsx docs/base/make-samples.ts [--base PATH] [--max-side 128]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyBaseConcept, openBaseConcept } from '../../native-models/e2gan/base-apply';
import { findShippedBase, samplePhotosDir } from '../../native-models/e2gan/shipped-base';
import { createImage, type RgbImage } from '../../native-models/image/image';
import { readImage, writeImage } from '../../native-models/image/io';
import { resizeCover } from '../../native-models/image/transform';
import { psnr } from '../../native-models/image/metrics';
import { getTeacher } from '../../native-models/teachers';

const PHOTOS = ['rocket', 'seeding'];
const CONCEPTS = ['pencil-sketch', 'night', 'sepia-vintage', 'ink-wash', 'winter-snow', 'infrared-film'];

function strip(images: readonly RgbImage[], gap = 4): RgbImage {
  const height = images[0]!.height;
  const width = images.reduce((w, im) => w + im.width, 0) + gap * (images.length - 1);
  const out = createImage(width, height, 1);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < height; y++) out.data.set(im.data.subarray(y * im.width * 3, (y + 1) * im.width * 3), (y * width + x0) * 3);
    x0 += im.width + gap;
  }
  return out;
}

const { values } = parseArgs({ options: { base: { type: 'string' }, 'max-side': { type: 'string' } } });
const base = values.base ?? findShippedBase()?.weights;
if (!base) throw new Error('no base: pass --base');
const maxSide = Number(values['max-side'] ?? 128);
const here = new URL('.', import.meta.url).pathname;
for (const name of PHOTOS) {
  const photo = await readImage(join(samplePhotosDir(), `${name}.jpg`), { maxSide });
  const input = resizeCover(photo, Math.floor(photo.width / 8) * 8, Math.floor(photo.height / 8) * 8);
  for (const id of CONCEPTS) {
    const output = await applyBaseConcept(await openBaseConcept(base, id), input);
    const target = getTeacher(id).apply(input);
    await writeImage(join(here, `${name}.${id}.jpg`), strip([input, output, target]), { quality: 85 });
    console.log(`${name}.${id}.jpg  ${input.width}x${input.height}  PSNR vs teacher ${psnr(output, target).toFixed(2)} dB (identity ${psnr(input, target).toFixed(2)} dB)`);
  }
}
