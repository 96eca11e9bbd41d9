/**
 * npm run bench:finetune — what an artist gets from the studio's Fast preset: LoRA fine-tunes of the shipped
 * base on each concept held out of its pre-training, scored on evaluation photos the run never saw, next to
 * the honest baselines (the input as output, and a least-squares RGB affine colour map fitted on the same
 * training pairs).
 *
 *   npm run bench:finetune -- [--base PATH] [--preset fast|balanced|quality] [--concepts a,b] [--corpus DIR]
 *                             [--train-photos 24] [--steps N] [--lr X] [--rank R] [--size N] [--batch N] [--edge-weight W]
 *                             [--freeze layer,layer]
 *
 * Data: the photo corpus (`npm run corpus`; default <studio data folder>/corpus): training photos from photos/,
 * evaluation photos from eval/. The preset's steps, size, rank and learning rate come from the studio's own
 * preset table, so this measures the button the artist presses.
 * Last line: quality_margin_db=<mean over concepts of model PSNR minus the better baseline> seconds=<mean fine-tune s>
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFineTuneBench } from './fine-tune-bench-inputs';
import { fineTuneConcept, marginOverBaselines, presetOf, readBaseConfig } from '../native-models/e2gan/base-eval';
import { describeBaseTraining } from '../native-models/e2gan/base-trainer';
import { loadPhotoSplit } from '../native-models/e2gan/base-data';
import { loraEligibleLayers, type RankSpec } from '../native-models/e2gan/config';
import { DEFAULT_SETTINGS } from '../native-models/e2gan/trainer';
import { loadBaseModel } from '../native-models/e2gan/weights';
import { ComputeClient } from '../native-models/runtime';
import { getTeacher } from '../native-models/teachers';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    preset: { type: 'string', default: 'fast' },
    concepts: { type: 'string' },
    corpus: { type: 'string' },
    'train-photos': { type: 'string', default: '24' },
    steps: { type: 'string' },
    lr: { type: 'string' },
    rank: { type: 'string' },
    size: { type: 'string' },
    batch: { type: 'string' },
    'edge-weight': { type: 'string' },
    freeze: { type: 'string' },
  },
  allowPositionals: false,
});

const { basePath, corpus, steps, size, learningRate, rank } = resolveFineTuneBench(values);
const batch = Number(values.batch ?? DEFAULT_SETTINGS.batch);
const edgeWeight = Number(values['edge-weight'] ?? DEFAULT_SETTINGS.edgeWeight ?? 0);
if (!(edgeWeight >= 0)) throw new Error(`--edge-weight: expected a number >= 0, got '${values['edge-weight']}'`);
const base = await loadBaseModel(basePath);
// --freeze a,b: those LoRA-eligible layers get no LoRA (stay at the base's weights); every other one gets --rank.
const frozen = values.freeze ? values.freeze.split(',').map((name) => name.trim()) : [];
const eligible = loraEligibleLayers(base.generatorConfig).map((layer) => layer.name);
for (const name of frozen)
  if (!eligible.includes(name)) throw new Error(`--freeze: '${name}' is not a LoRA-eligible layer of this base (${eligible.join(', ')})`);
const ranks: RankSpec = frozen.length === 0 ? rank : Object.fromEntries(eligible.filter((name) => !frozen.includes(name)).map((name) => [name, rank]));
const baseConfig = await readBaseConfig(basePath);
const concepts = values.concepts ? values.concepts.split(',') : [...(baseConfig?.heldOutConcepts ?? [])];
if (concepts.length === 0) throw new Error(`${basePath}: base.json names no held-out concepts; pass --concepts`);
const photos = await loadPhotoSplit([join(corpus, 'photos')], [join(corpus, 'eval')], { maxSide: size * 2 });

console.log(
  `bench:finetune: base ${basePath} (${presetOf(base.generatorConfig)}, ${baseConfig ? describeBaseTraining(baseConfig) : 'no base.json next to it'})`,
);
console.log(
  `preset ${values.preset}: ${steps} steps at ${size}x${size}, LoRA rank ${rank}${frozen.length > 0 ? ` (frozen: ${frozen.join(', ')})` : ''}, lr ${learningRate}, batch ${batch}; ` +
    `${values['train-photos']} training photos (+2 validation) of ${photos.train.length}, evaluation on ${photos.evaluation.length} photos never trained or selected on`,
);
const work = await mkdtemp(join(tmpdir(), 'bench-finetune-'));
const compute = ComputeClient.start();
const margins: number[] = [];
const seconds: number[] = [];
try {
  for (const id of concepts) {
    const result = await fineTuneConcept({
      base: basePath,
      preset: presetOf(base.generatorConfig),
      mode: 'lora',
      teacher: getTeacher(id),
      photos,
      size,
      steps,
      scoreEvery: Math.max(1, Math.ceil(steps / 4)),
      workDir: join(work, id),
      compute,
      learningRate,
      rank: ranks,
      batch,
      trainPhotos: Number(values['train-photos']),
      edgeWeight,
    });
    const f = result.final;
    const margin = marginOverBaselines(f);
    margins.push(margin);
    seconds.push(result.seconds);
    console.log(
      `${id.padEnd(16)} model ${f.psnr.toFixed(2)} dB (SSIM ${f.ssim.toFixed(3)})  input-as-output ${f.identityPsnr.toFixed(2)} dB  colour fit ${f.affinePsnr.toFixed(2)} dB  ` +
        `margin ${margin >= 0 ? '+' : ''}${margin.toFixed(2)} dB${margin > 0 ? '' : ' (LOSES to a baseline)'}  ${result.seconds.toFixed(1)} s, ${result.trainPairs} pairs`,
    );
  }
} finally {
  await compute.terminate();
  await rm(work, { recursive: true, force: true });
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`quality_margin_db=${mean(margins).toFixed(2)} seconds=${mean(seconds).toFixed(1)}`);
