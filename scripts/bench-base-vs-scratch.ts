/**
 * The E2GAN claim in miniature: adapting the pre-trained base to an unseen concept with LoRA needs far fewer
 * steps than training the same generator from scratch. For each held-out concept of the base:
 *   (a) LoRA fine-tune from the base for S steps, (b) full training from a seeded random init of the same
 *   architecture on the same pairs (teacher targets of the base's training photos), scored on the base's
 *   evaluation photos (never trained on) every --every steps. Scratch runs up to --scratch-factor x S steps so
 *   the steps it needs to reach LoRA's final PSNR can be measured; at S steps both have had the same budget.
 *
 *   npm run bench:base-vs-scratch -- [--base PATH] [--corpus DIR] [--steps 60] [--every 10] [--scratch-factor 4] [--size N]
 *                                    [--concepts a,b] [--lr-grid 2e-3,5e-3,1e-2] [--rank 8] [--train-photos 24] [--arms lora,full]
 *
 * Each arm's learning rate is chosen from the SAME grid, per concept, by its final validation PSNR (two
 * training photos set aside; the evaluation photos are never used to choose), so neither arm is handicapped by
 * a learning rate tuned for the other.
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
import { describeBaseTraining } from '../native-models/e2gan/base-trainer';
import { loadPhotoSet, loadPhotoSplit } from '../native-models/e2gan/base-data';
import { existsSync } from 'node:fs';
import { resolveDataDir } from '../electron/paths';
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
      base: { type: 'string' },
      steps: { type: 'string' },
      every: { type: 'string' },
      'scratch-factor': { type: 'string' },
      size: { type: 'string' },
      concepts: { type: 'string' },
      'lr-grid': { type: 'string' },
      rank: { type: 'string' },
      corpus: { type: 'string' },
      'train-photos': { type: 'string' },
      arms: { type: 'string' },
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
  const grid = (values['lr-grid'] ?? '2e-3,5e-3,1e-2').split(',').map(Number);
  if (grid.some((lr) => !(lr > 0))) throw new Error(`--lr-grid: expected positive numbers, got '${values['lr-grid']}'`);
  const rank = Number(values.rank ?? 8);
  const concepts = values.concepts ? values.concepts.split(',') : [...config.heldOutConcepts];
  // The arms that start from the base: 'lora' (what the studio trains; its ratio is the headline figure) and
  // optionally 'full' (every weight of the base trained, so it trains exactly the parameters scratch trains).
  const arms = (values.arms ?? 'lora').split(',').map((arm) => arm.trim());
  for (const arm of arms) if (arm !== 'lora' && arm !== 'full') throw new Error(`--arms: expected lora and/or full, got '${arm}'`);
  if (arms[0] !== 'lora') throw new Error(`--arms: 'lora' comes first (it is the headline figure), got '${values.arms}'`);
  const corpus = values.corpus ?? join(resolveDataDir(), 'corpus');
  const photos = existsSync(join(corpus, 'eval'))
    ? await loadPhotoSplit([join(corpus, 'photos')], [join(corpus, 'eval')], { maxSide: size * 2 })
    : await loadPhotoSet(config.settings.photos, { maxSide: size * 4, evaluationCount: config.settings.evaluationPhotos });
  const preset = presetOf(base.generatorConfig);
  console.log(
    `base ${basePath} (${preset}, trained ${describeBaseTraining(config)}); ${photos.train.length} training photos, evaluation on ${photos.evaluation.map((p) => p.name).join(', ')} at ${size}px`,
  );
  console.log(
    `per concept: LoRA (rank ${rank}) from base ${steps} steps vs scratch (same generator, random init) up to ${scratchSteps} steps; each arm's lr the best of [${grid.join(', ')}] by final validation PSNR; validation PSNR every ${every} steps`,
  );
  const workRoot = await mkdtemp(join(tmpdir(), 'bench-base-vs-scratch-'));
  const compute = ComputeClient.start();
  const results: ConceptComparison[] = [];
  const fullResults: ConceptComparison[] = [];
  try {
    for (const id of concepts) {
      const teacher = getTeacher(id);
      const common = { preset, teacher, photos, size, scoreEvery: every, compute, seed: 1, trainPhotos: Number(values['train-photos'] ?? 24) };
      const bestOf = async (arm: 'lora' | 'full' | 'scratch'): Promise<FineTuneResult & { lr: number }> => {
        let best: (FineTuneResult & { lr: number }) | undefined;
        for (const lr of grid) {
          const run =
            arm === 'scratch'
              ? await fineTuneConcept({ ...common, mode: 'scratch', steps: scratchSteps, learningRate: lr, workDir: join(workRoot, id, `scratch-${lr}`) })
              : await fineTuneConcept({ ...common, base: basePath, mode: arm, steps, learningRate: lr, rank, workDir: join(workRoot, id, `${arm}-${lr}`) });
          console.log(`  ${id} ${arm} lr ${lr}: final validation ${run.curve.at(-1)!.psnr.toFixed(2)} dB`);
          if (!best || run.curve.at(-1)!.psnr > best.curve.at(-1)!.psnr) best = { ...run, lr };
        }
        return best!;
      };
      const lora = await bestOf('lora');
      const full = arms.includes('full') ? await bestOf('full') : undefined;
      const scratch = await bestOf('scratch');
      // Both numbers from the trainer's own held-out scoring, so the comparison uses one measurement.
      const against = (arm: FineTuneResult): ConceptComparison => ({
        concept: id,
        lora: arm,
        scratch,
        scratchStepsToMatch: stepsToReach(scratch.curve, arm.curve.at(-1)!.psnr),
      });
      const target = lora.curve.at(-1)!.psnr;
      const comparison = against(lora);
      results.push(comparison);
      if (full) fullResults.push(against(full));
      console.log(
        `\n${id}  (evaluation photos: input as output ${lora.final.identityPsnr.toFixed(2)} dB, colour fit ${lora.final.affinePsnr.toFixed(2)} dB; LoRA lr ${lora.lr}, scratch lr ${scratch.lr}; curves are validation PSNR)`,
      );
      console.log(`  step     ${scratch.curve.map((p) => String(p.step).padStart(6)).join('')}`);
      console.log(
        `  lora     ${scratch.curve
          .map(
            (p) =>
              lora.curve
                .find((q) => q.step === p.step)
                ?.psnr.toFixed(2)
                .padStart(6) ?? '     -',
          )
          .join('')}`,
      );
      if (full)
        console.log(
          `  full     ${scratch.curve
            .map(
              (p) =>
                full.curve
                  .find((q) => q.step === p.step)
                  ?.psnr.toFixed(2)
                  .padStart(6) ?? '     -',
            )
            .join('')}   (every weight of the base, lr ${full.lr}; evaluation photos ${full.final.psnr.toFixed(2)} dB)`,
        );
      console.log(`  scratch  ${scratch.curve.map((p) => p.psnr.toFixed(2).padStart(6)).join('')}`);
      console.log(
        `  evaluation photos: LoRA ${lora.final.psnr.toFixed(2)} dB (${steps} steps), scratch ${scratch.final.psnr.toFixed(2)} dB (${scratchSteps} steps)`,
      );
      console.log(
        `  LoRA final validation ${target.toFixed(2)} dB in ${steps} steps (${lora.seconds.toFixed(0)} s); scratch at ${steps} steps ${scratch.curve.find((p) => p.step === steps)?.psnr.toFixed(2) ?? '?'} dB; ` +
          (comparison.scratchStepsToMatch !== undefined
            ? `scratch reaches it at step ${comparison.scratchStepsToMatch}`
            : `scratch never reaches it in ${scratchSteps} steps (final ${scratch.final.psnr.toFixed(2)} dB)`),
      );
    }
  } finally {
    await compute.terminate();
    await rm(workRoot, { recursive: true, force: true });
  }
  console.log('');
  if (fullResults.length > 0)
    console.log(
      `full fine-tune from the base (secondary figure): ${stepsRatioLine(fullResults, steps, scratchSteps).replace('steps_ratio', 'full_steps_ratio')}`,
    );
  console.log(stepsRatioLine(results, steps, scratchSteps));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
