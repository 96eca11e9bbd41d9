/**
 * npm run strips — what the student actually makes: before | teacher | student strips on corpus evaluation
 * photos (never trained on), one PNG per concept in docs/results/strips/<concept>.png, one row per photo.
 *
 *   npm run strips -- [--base PATH] [--corpus DIR] [--pretrained pencil-sketch,sepia-vintage,night]
 *                     [--held-out watercolour] [--photos 3] [--out docs/results/strips] [--preset fast] [--lr X]
 *
 * Pre-trained concepts run the base with its own concept tokens; held-out concepts are fine-tuned from the base
 * with the preset's recipe (LoRA, batch 1) on corpus photos/ and the fine-tuned model's outputs are shown.
 * Cells are `size` px (the preset's training size, 128 for Fast): the photo is centre-covered to that square.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFineTuneBench } from './fine-tune-bench-inputs';
import { applyBaseConcept, openBaseConcept } from '../native-models/e2gan/base-apply';
import { evaluationExample, loadPhotoSplit } from '../native-models/e2gan/base-data';
import { fineTuneConcept, marginOverBaselines, presetOf } from '../native-models/e2gan/base-eval';
import { loadBaseModel } from '../native-models/e2gan/weights';
import { createImage, type RgbImage } from '../native-models/image/image';
import { writeImage } from '../native-models/image/io';
import { psnr } from '../native-models/image/metrics';
import { ComputeClient } from '../native-models/runtime';
import { getTeacher } from '../native-models/teachers';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    corpus: { type: 'string' },
    pretrained: { type: 'string', default: 'pencil-sketch,sepia-vintage,night' },
    'held-out': { type: 'string', default: 'watercolour' },
    photos: { type: 'string', default: '3' },
    out: { type: 'string', default: 'docs/results/strips' },
    preset: { type: 'string', default: 'fast' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    rank: { type: 'string' },
    'train-photos': { type: 'string', default: '24' },
  },
  allowPositionals: false,
});

const { basePath, corpus, steps, size, learningRate, rank } = resolveFineTuneBench({ ...values, size: undefined });
const count = Number(values.photos);
if (!Number.isInteger(count) || count < 1) throw new Error(`--photos: expected a positive integer, got ${values.photos}`);
const split = await loadPhotoSplit([join(corpus, 'photos')], [join(corpus, 'eval')], { maxSide: size * 2 });
// Spread the strip photos over the evaluation set (it sorts by name, which mixes subjects).
const stripPhotos = Array.from(
  { length: Math.min(count, split.evaluation.length) },
  (_, i) => split.evaluation[Math.floor((i * split.evaluation.length) / count)]!,
);
await mkdir(values.out, { recursive: true });

/** Rows of [before, teacher, student] cells, size × size each, copied side by side. */
function compose(rows: ReadonlyArray<readonly RgbImage[]>): RgbImage {
  const sheet = createImage(size * 3, size * rows.length);
  rows.forEach((cells, row) =>
    cells.forEach((cell, column) => {
      if (cell.width !== size || cell.height !== size) throw new Error(`strip cell is ${cell.width}x${cell.height}, expected ${size}x${size}`);
      for (let y = 0; y < size; y++) {
        const from = y * size * 3;
        sheet.data.set(cell.data.subarray(from, from + size * 3), ((row * size + y) * sheet.width + column * size) * 3);
      }
    }),
  );
  return sheet;
}

const report = (id: string, how: string, rows: ReadonlyArray<readonly RgbImage[]>): void => {
  const mean = (f: (r: readonly RgbImage[]) => number): string => (rows.reduce((a, r) => a + f(r), 0) / rows.length).toFixed(2);
  console.log(
    `${id.padEnd(15)} ${how}: student ${mean((r) => psnr(r[2]!, r[1]!))} dB vs teacher, input-as-output ${mean((r) => psnr(r[0]!, r[1]!))} dB → ${join(values.out, `${id}.png`)}`,
  );
};

console.log(`strips: base ${basePath}; ${stripPhotos.length} eval photos (${stripPhotos.map((p) => p.name).join(', ')}) at ${size}x${size}`);
for (const id of values.pretrained.split(',').filter(Boolean)) {
  const concept = await openBaseConcept(basePath, id);
  const rows: RgbImage[][] = [];
  for (const photo of stripPhotos) {
    const { input, target } = evaluationExample(photo, getTeacher(id), size);
    rows.push([input, target, await applyBaseConcept(concept, input)]);
  }
  await writeImage(join(values.out, `${id}.png`), compose(rows));
  report(id, 'base tokens', rows);
}

const heldOut = values['held-out'].split(',').filter(Boolean);
if (heldOut.length > 0) {
  const base = await loadBaseModel(basePath);
  const work = await mkdtemp(join(tmpdir(), 'strips-'));
  const compute = ComputeClient.start();
  try {
    for (const id of heldOut) {
      const teacher = getTeacher(id);
      const outputs: RgbImage[] = [];
      const result = await fineTuneConcept({
        base: basePath,
        preset: presetOf(base.generatorConfig),
        mode: 'lora',
        teacher,
        photos: { train: split.train, evaluation: stripPhotos },
        size,
        steps,
        scoreEvery: steps,
        workDir: join(work, id),
        compute,
        learningRate,
        rank,
        batch: 1,
        trainPhotos: Number(values['train-photos']),
        outputs,
      });
      const rows = stripPhotos.map((photo, i) => {
        const { input, target } = evaluationExample(photo, teacher, size);
        return [input, target, outputs[i]!];
      });
      await writeImage(join(values.out, `${id}.png`), compose(rows));
      report(
        id,
        `LoRA ${steps} steps lr ${learningRate} rank ${rank}, ${result.seconds.toFixed(0)} s, margin ${marginOverBaselines(result.final).toFixed(2)} dB`,
        rows,
      );
    }
  } finally {
    await compute.terminate();
    await rm(work, { recursive: true, force: true });
  }
}
