/**
 * npm run bench:subset — E2GAN's less-data claim in miniature: does fine-tuning on the k photos the studio's
 * representative-subset picker keeps do as well as (or better than) a random k, and how close does it come to
 * training on the whole pool, at the same number of steps?
 *
 *   npm run bench:subset -- [--base PATH] [--concepts watercolour,halftone] [--corpus DIR] [--pool 60] [--k 12]
 *                           [--seed 1] [--preset fast] [--steps N] [--lr X] [--rank R] [--size N] [--batch 1]
 *
 * Pool: `--pool` training photos spread over the corpus's photos/. Arms, per held-out concept:
 *   representative — the k the studio keeps (selectRepresentatives on imageFeatures of the photo at 64 px, as
 *                    the studio's subset.select does), random — k drawn from the pool with a seeded shuffle,
 *   all            — every pool photo.
 * Every arm fine-tunes the base with LoRA for the same steps, and uses the same 2 validation photos (training
 * photos outside the pool), so only the training photos differ. Scores are on the corpus's eval/ photos, which
 * no arm trains or selects on. Margin = model PSNR minus the better of input-as-output and an RGB affine fit.
 * Last line: representative_minus_random_db=<mean over concepts>
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFineTuneBench } from './fine-tune-bench-inputs';
import { fineTuneConcept, marginOverBaselines, presetOf } from '../native-models/e2gan/base-eval';
import { loadPhotoSplit, type Photo, type PhotoSet } from '../native-models/e2gan/base-data';
import { loadBaseModel } from '../native-models/e2gan/weights';
import { imageFeatures } from '../native-models/image/metrics';
import { resize } from '../native-models/image/transform';
import { ComputeClient } from '../native-models/runtime';
import { getTeacher } from '../native-models/teachers';
import { createRng } from '../native-models/util/rng';
import { selectRepresentatives } from '../electron/services/subset-selection';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    concepts: { type: 'string', default: 'watercolour,halftone' },
    corpus: { type: 'string' },
    pool: { type: 'string', default: '60' },
    k: { type: 'string', default: '12' },
    seed: { type: 'string', default: '1' },
    preset: { type: 'string', default: 'fast' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    rank: { type: 'string' },
    size: { type: 'string' },
    batch: { type: 'string', default: '1' },
  },
  allowPositionals: false,
});

const { basePath, corpus, steps, size, learningRate, rank } = resolveFineTuneBench(values);
const batch = Number(values.batch);
const poolSize = Number(values.pool);
const k = Number(values.k);
const seed = Number(values.seed);
for (const [name, value] of Object.entries({ steps, size, learningRate, rank, batch, pool: poolSize, k })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${String(value)}`);
}
if (k >= poolSize) throw new Error(`--k ${k} must be smaller than --pool ${poolSize}`);
const concepts = values.concepts
  .split(',')
  .map((c) => c.trim())
  .filter(Boolean);
const base = await loadBaseModel(basePath);
const photos = await loadPhotoSplit([join(corpus, 'photos')], [join(corpus, 'eval')], { maxSide: size * 2 });
if (photos.train.length < poolSize + 2) throw new Error(`${corpus}/photos: ${photos.train.length} photos, need --pool ${poolSize} + 2 validation`);

/** Up to `count` items spread evenly over the list (photos sort by name, so this mixes sources). */
const spreadIndices = (n: number, count: number): number[] => Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
const poolIndices = spreadIndices(photos.train.length, poolSize);
const pool = poolIndices.map((i) => photos.train[i]!);
// Two validation photos from outside the pool, the same for every arm.
const outside = photos.train.filter((_, i) => !poolIndices.includes(i));
const validation = [outside[0]!, outside[Math.floor(outside.length / 2)]!];

// The studio's features: imageFeatures of the input decoded at most 64 px on the longer side (subset-service.ts).
const FEATURE_SIDE = 64;
const features = pool.map(({ image }) => {
  const scale = Math.min(1, FEATURE_SIDE / Math.max(image.width, image.height));
  return imageFeatures(resize(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale))));
});
const representative = selectRepresentatives(features, k, seed).map((i) => pool[i]!);
const shuffled = [...pool];
const rng = createRng(seed);
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
}
const random = shuffled.slice(0, k);

/**
 * A PhotoSet whose training list is exactly `subset` plus the validation photos, placed where fineTuneConcept
 * takes its 2 validation photos from (indices 0 and floor(n / 2) of the list).
 */
function photoSetFor(subset: readonly Photo[]): PhotoSet {
  const n = subset.length + 2;
  const train = [validation[0]!, ...subset];
  train.splice(Math.floor(n / 2), 0, validation[1]!);
  return { train, evaluation: photos.evaluation };
}

const arms: Array<{ name: string; photos: readonly Photo[] }> = [
  { name: 'representative', photos: representative },
  { name: 'random', photos: random },
  { name: 'all', photos: pool },
];
console.log(
  `bench:subset: base ${basePath} (${presetOf(base.generatorConfig)}); pool ${poolSize} of ${photos.train.length} training photos, k=${k}, seed ${seed}`,
);
console.log(
  `${steps} steps at ${size}x${size}, LoRA rank ${rank}, lr ${learningRate}, batch ${batch}; validation ${validation.map((p) => p.name).join(', ')}; ` +
    `evaluation on ${photos.evaluation.length} eval/ photos`,
);
console.log(`representative: ${representative.map((p) => p.name).join(', ')}`);
console.log(`random:         ${random.map((p) => p.name).join(', ')}`);
const work = await mkdtemp(join(tmpdir(), 'bench-subset-'));
const compute = ComputeClient.start();
const rows: Array<{
  concept: string;
  arm: string;
  psnr: number;
  ssim: number;
  identity: number;
  affine: number;
  margin: number;
  seconds: number;
  pairs: number;
}> = [];
const started = Date.now();
try {
  for (const id of concepts) {
    for (const arm of arms) {
      const result = await fineTuneConcept({
        base: basePath,
        preset: presetOf(base.generatorConfig),
        mode: 'lora',
        teacher: getTeacher(id),
        photos: photoSetFor(arm.photos),
        size,
        steps,
        scoreEvery: steps,
        workDir: join(work, `${id}-${arm.name}`),
        compute,
        learningRate,
        rank,
        batch,
        trainPhotos: arm.photos.length,
        seed,
      });
      const f = result.final;
      const row = {
        concept: id,
        arm: arm.name,
        psnr: f.psnr,
        ssim: f.ssim,
        identity: f.identityPsnr,
        affine: f.affinePsnr,
        margin: marginOverBaselines(f),
        seconds: result.seconds,
        pairs: result.trainPairs,
      };
      if (row.pairs !== arm.photos.length) throw new Error(`${id} ${arm.name}: trained on ${row.pairs} pairs, expected ${arm.photos.length}`);
      rows.push(row);
      console.log(
        `${id.padEnd(15)} ${arm.name.padEnd(15)} ${f.psnr.toFixed(2)} dB  SSIM ${f.ssim.toFixed(3)}  margin ${row.margin >= 0 ? '+' : ''}${row.margin.toFixed(2)} dB  ${result.seconds.toFixed(1)} s, ${row.pairs} pairs`,
      );
    }
  }
} finally {
  await compute.terminate();
  await rm(work, { recursive: true, force: true });
}
const sign = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
console.log('\n| concept | arm | photos | PSNR dB | SSIM | input-as-output dB | affine fit dB | margin dB |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.concept} | ${r.arm} | ${r.pairs} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(3)} | ${r.identity.toFixed(2)} | ${r.affine.toFixed(2)} | ${sign(r.margin)} |`,
  );
const rowOf = (concept: string, arm: string) => rows.find((r) => r.concept === concept && r.arm === arm)!;
const average = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
// Each arm's affine baseline is fitted on that arm's own training pairs, so the margins can differ by more or
// less than the raw PSNRs do; both are printed.
const psnrDifference = average(concepts.map((c) => rowOf(c, 'representative').psnr - rowOf(c, 'random').psnr));
const allDifference = average(concepts.map((c) => rowOf(c, 'all').margin - rowOf(c, 'representative').margin));
const mean = average(concepts.map((c) => rowOf(c, 'representative').margin - rowOf(c, 'random').margin));
console.log(
  `\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s; representative minus random PSNR ${sign(psnrDifference)} dB; ` +
    `all ${poolSize} minus representative margin ${sign(allDifference)} dB`,
);
console.log(`representative_minus_random_db=${mean.toFixed(2)}`);
