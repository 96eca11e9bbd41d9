/**
 * npm run bench:finetune — LoRA fine-tune of an E2GAN concept on CPU at 256x256 against a known target
 * operator (a built-in teacher), then held-out PSNR vs that target and wall time.
 *
 * Data: the sample photos in resources/samples; the first ones give random 256x256 crops for training, the
 * last two photos are held out entirely (centre crops) for the score. Base: until the shipped base model
 * exists, a base is trained briefly from scratch on a DIFFERENT teacher (--base-teacher), then the LoRA
 * concept is fine-tuned from it on the target teacher (--teacher). Pass --base PATH to use a real base.
 * Last line: heldout_psnr_db=<x> seconds=<y>  (seconds = the LoRA fine-tune's wall time).
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage, writeImage } from '../native-models/image/io';
import { crop, resizeCover } from '../native-models/image/transform';
import { psnr } from '../native-models/image/metrics';
import { getTeacher } from '../native-models/teachers';
import { createRng } from '../native-models/util/rng';
import { DEFAULT_SETTINGS, trainRun, type TrainEvent, type TrainSettings } from '../native-models/e2gan/trainer';
import type { WidthPreset } from '../native-models/e2gan/config';

const { values } = parseArgs({
  options: {
    teacher: { type: 'string', default: 'sepia-vintage' },
    'base-teacher': { type: 'string', default: 'autumn-foliage' },
    base: { type: 'string' },
    'base-steps': { type: 'string', default: '300' },
    // The generator is fully convolutional (attention weights do not depend on the token count), so the
    // stand-in base is pre-trained at a lower resolution: 4x cheaper per step than 256x256.
    'base-size': { type: 'string', default: '128' },
    steps: { type: 'string', default: '200' },
    rank: { type: 'string', default: '4' },
    preset: { type: 'string', default: 'tiny' },
    size: { type: 'string', default: '256' },
    'crops-per-photo': { type: 'string', default: '4' },
    out: { type: 'string' },
  },
});
const size = Number(values.size);
const preset = values.preset as WidthPreset;
const samplesDir = new URL('../resources/samples/', import.meta.url).pathname;
const photos = readdirSync(samplesDir).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
if (photos.length < 3) throw new Error(`${samplesDir}: need at least 3 sample photos, found ${photos.length}`);
const heldOutPhotos = photos.slice(-2);
const trainPhotos = photos.slice(0, -2);
const work = values.out ?? mkdtempSync(join(tmpdir(), 'bench-finetune-'));

async function writePairs(dir: string, teacherId: string, size: number): Promise<void> {
  const teacher = getTeacher(teacherId);
  const rng = createRng(7);
  for (const name of trainPhotos) {
    const photo = await readImage(join(samplesDir, name), { maxSide: 2 * size });
    for (let k = 0; k < Number(values['crops-per-photo']); k++) {
      const side = Math.round(Math.min(photo.width, photo.height) * rng.range(0.5, 1));
      const window = crop(photo, rng.int(photo.width - side + 1), rng.int(photo.height - side + 1), side, side);
      const input = resizeCover(window, size, size);
      await writeImage(join(dir, `${name}-${k}.input.png`), input);
      await writeImage(join(dir, `${name}-${k}.target.png`), teacher.apply(input));
    }
  }
  // Held-out pairs sort last (the trainer holds out the last `heldOut` pairs by name).
  for (const name of heldOutPhotos) {
    const input = resizeCover(await readImage(join(samplesDir, name), { maxSide: 2 * size }), size, size);
    await writeImage(join(dir, `zz-heldout-${name}.input.png`), input);
    await writeImage(join(dir, `zz-heldout-${name}.target.png`), teacher.apply(input));
  }
}

function log(prefix: string): (event: TrainEvent) => void {
  return (event) => {
    if (event.type === 'step' && (event.step % 25 === 0 || event.step === event.totalSteps)) {
      console.log(`${prefix} step ${event.step}/${event.totalSteps} l1 ${event.losses.l1!.toFixed(4)} loss_d ${event.losses.loss_d!.toFixed(4)} ${event.itPerSec.toFixed(2)} it/s`);
    } else if (event.type === 'preview') {
      console.log(`${prefix} preview step ${event.step}: held-out PSNR ${event.heldOutPsnr.toFixed(2)} dB`);
    } else if (event.type === 'started') {
      console.log(`${prefix} ${event.executionProvider}, ${event.trainPairs} train + ${event.heldOutPairs} held-out pairs, ${event.trainableParameters} trainable / ${event.generatorParameters} generator params`);
    }
  };
}

const common: Omit<TrainSettings, 'pairs'> = {
  ...DEFAULT_SETTINGS, preset, size, batch: 1, heldOut: heldOutPhotos.length, checkpointEvery: 1000, previewEvery: 1000,
  augment: { flipProbability: 0.5, minScale: 0.8, maxScale: 1 }, executionProviders: ['cpu'],
};

console.log(`bench:finetune: ${values.teacher} at ${size}x${size}, preset ${preset}, LoRA rank ${values.rank}, ${values.steps} steps; work dir ${work}`);
const targetPairs = join(work, 'pairs-target');
await writePairs(targetPairs, values.teacher!, size);
let base = values.base;
let baseSeconds = 0;
if (!base) {
  const basePairs = join(work, 'pairs-base');
  const baseSize = Number(values['base-size']);
  await writePairs(basePairs, values['base-teacher']!, baseSize);
  const baseRun = await trainRun(
    join(work, 'base-run'),
    { ...common, pairs: basePairs, size: baseSize, mode: 'scratch', steps: Number(values['base-steps']), learningRate: 2e-3 },
    { onEvent: log('[base]'), previews: false },
  );
  base = baseRun.output!;
  baseSeconds = baseRun.seconds;
  console.log(`[base] trained from scratch on '${values['base-teacher']}' at ${baseSize}x${baseSize} in ${baseRun.seconds.toFixed(1)} s (held-out PSNR on its own teacher ${baseRun.heldOutPsnr.toFixed(2)} dB) -> ${base}`);
}
// Context for the score: how far the raw input already is from the target.
let identityPsnr = 0;
for (const name of heldOutPhotos) {
  const input = resizeCover(await readImage(join(samplesDir, name), { maxSide: 2 * size }), size, size);
  identityPsnr += psnr(input, getTeacher(values.teacher!).apply(input)) / heldOutPhotos.length;
}
const started = performance.now();
const result = await trainRun(join(work, 'lora-run'), { ...common, pairs: targetPairs, base, mode: 'lora', ranks: Number(values.rank), steps: Number(values.steps) }, { onEvent: log('[lora]') });
const seconds = (performance.now() - started) / 1000;
console.log(`held-out PSNR vs '${values.teacher}': ${result.heldOutPsnr.toFixed(2)} dB (input-as-output baseline ${identityPsnr.toFixed(2)} dB); LoRA fine-tune ${seconds.toFixed(1)} s${baseSeconds ? `, base pre-training ${baseSeconds.toFixed(1)} s` : ''}`);
console.log(`heldout_psnr_db=${result.heldOutPsnr.toFixed(2)} seconds=${seconds.toFixed(1)}`);
