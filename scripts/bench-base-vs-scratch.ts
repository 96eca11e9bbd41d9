/**
 * The E2GAN claim in miniature: adapting the pre-trained base to an unseen concept with LoRA needs far fewer
 * steps than training the same generator from scratch. For each held-out concept of the base:
 *   (a) LoRA fine-tune from the base for S steps, (b) full training from a seeded random init of the same
 *   architecture on the same pairs (teacher targets of the base's training photos), scored on the base's
 *   evaluation photos (never trained on) every --every steps. Scratch runs up to --scratch-factor x S steps so
 *   the steps it needs to reach LoRA's final PSNR can be measured; at S steps both have had the same budget.
 *
 *   npm run bench:base-vs-scratch -- [--base PATH] [--steps 60] [--every 10] [--scratch-factor 4] [--size N] [--concepts a,b]
 *                                    [--lora-lr 1e-2] [--scratch-lr 1e-3] [--rank 8]
 *
 * Last line: steps_ratio=<mean over concepts of (steps scratch needs to reach LoRA's final PSNR) / S>; when
 * scratch never gets there within its budget the value is a lower bound and the line says so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fineTuneConcept, presetOf, readBaseConfig, type FineTuneResult } from '../native-models/e2gan/base-eval';
import { loadPhotoSet } from '../native-models/e2gan/base-data';
import { findShippedBase } from '../native-models/e2gan/shipped-base';
import { loadBaseModel } from '../native-models/e2gan/weights';
import { getTeacher } from '../native-models/teachers';
import { ComputeClient } from '../native-models/runtime';

export interface ConceptComparison {
  readonly concept: string;
  readonly lora: FineTuneResult;
  readonly scratch: FineTuneResult;
  /** Steps scratch needed to reach LoRA's final PSNR, or undefined if it never did. */
  readonly scratchStepsToMatch: number | undefined;
}

/** First scored step at which the curve reaches `psnr` (curves are sampled every --every steps). */
export function stepsToReach(curve: ReadonlyArray<{ step: number; psnr: number }>, psnr: number): number | undefined {
  return curve.find((point) => point.step > 0 && point.psnr >= psnr)?.step;
}

export function stepsRatioLine(results: readonly ConceptComparison[], loraSteps: number, scratchSteps: number): string {
  const ratios = results.map((r) => (r.scratchStepsToMatch ?? scratchSteps) / loraSteps);
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const missed = results.filter((r) => r.scratchStepsToMatch === undefined).length;
  return missed === 0
    ? `steps_ratio=${mean.toFixed(2)}`
    : `steps_ratio=${mean.toFixed(2)} (lower bound: scratch never reached LoRA's final PSNR within ${scratchSteps} steps for ${missed} of ${results.length} concepts)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' }, steps: { type: 'string' }, every: { type: 'string' }, 'scratch-factor': { type: 'string' },
      size: { type: 'string' }, concepts: { type: 'string' }, 'lora-lr': { type: 'string' }, 'scratch-lr': { type: 'string' }, rank: { type: 'string' },
    },
    allowPositionals: false,
  });
  const basePath = values.base ?? findShippedBase()?.weights;
  if (!basePath) throw new Error('no base model: pass --base PATH (no shipped base in resources/base-model)');
  const base = await loadBaseModel(basePath);
  const config = await readBaseConfig(basePath);
  if (!config) throw new Error(`${basePath}: base.json missing next to it (it names the photos and held-out concepts)`);
  const steps = Number(values.steps ?? 60);
  const every = Number(values.every ?? 10);
  const scratchSteps = steps * Number(values['scratch-factor'] ?? 4);
  const size = Number(values.size ?? config.size);
  const loraLr = Number(values['lora-lr'] ?? 1e-2);
  const scratchLr = Number(values['scratch-lr'] ?? 1e-3);
  const rank = Number(values.rank ?? 8);
  const concepts = values.concepts ? values.concepts.split(',') : [...config.heldOutConcepts];
  const photos = await loadPhotoSet(config.settings.photos, { maxSide: size * 4, evaluationCount: config.settings.evaluationPhotos });
  const preset = presetOf(base.generatorConfig);
  console.log(`base ${basePath} (${preset}, trained ${config.steps} steps at ${config.size}px); ${photos.train.length} training photos, evaluation on ${photos.evaluation.map((p) => p.name).join(', ')} at ${size}px`);
  console.log(`per concept: LoRA (rank ${rank}, lr ${loraLr}) from base ${steps} steps vs scratch (lr ${scratchLr}) (same generator, random init) up to ${scratchSteps} steps; held-out PSNR every ${every} steps`);
  const workRoot = await mkdtemp(join(tmpdir(), 'bench-base-vs-scratch-'));
  const compute = ComputeClient.start();
  const results: ConceptComparison[] = [];
  try {
    for (const id of concepts) {
      const teacher = getTeacher(id);
      const common = { preset, teacher, photos, size, scoreEvery: every, compute, seed: 1 };
      const lora = await fineTuneConcept({ ...common, base: basePath, mode: 'lora', steps, learningRate: loraLr, rank, workDir: join(workRoot, id, 'lora') });
      const scratch = await fineTuneConcept({ ...common, mode: 'scratch', steps: scratchSteps, learningRate: scratchLr, workDir: join(workRoot, id, 'scratch') });
      // Both numbers from the trainer's own held-out scoring, so the comparison uses one measurement.
      const target = lora.curve.at(-1)!.psnr;
      const comparison = { concept: id, lora, scratch, scratchStepsToMatch: stepsToReach(scratch.curve, target) };
      results.push(comparison);
      console.log(`\n${id}  (identity baseline ${lora.final.identityPsnr.toFixed(2)} dB)`);
      console.log(`  step     ${scratch.curve.map((p) => String(p.step).padStart(6)).join('')}`);
      console.log(`  lora     ${scratch.curve.map((p) => lora.curve.find((q) => q.step === p.step)?.psnr.toFixed(2).padStart(6) ?? '     -').join('')}`);
      console.log(`  scratch  ${scratch.curve.map((p) => p.psnr.toFixed(2).padStart(6)).join('')}`);
      console.log(`  LoRA final ${target.toFixed(2)} dB / SSIM ${lora.final.ssim.toFixed(3)} in ${steps} steps (${lora.seconds.toFixed(0)} s); scratch at ${steps} steps ${scratch.curve.find((p) => p.step === steps)?.psnr.toFixed(2) ?? '?'} dB; ` +
        (comparison.scratchStepsToMatch !== undefined ? `scratch reaches it at step ${comparison.scratchStepsToMatch}` : `scratch never reaches it in ${scratchSteps} steps (final ${scratch.final.psnr.toFixed(2)} dB)`));
    }
  } finally {
    await compute.terminate();
    await rm(workRoot, { recursive: true, force: true });
  }
  console.log('');
  console.log(stepsRatioLine(results, steps, scratchSteps));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
