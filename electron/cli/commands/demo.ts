import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { findTeacher, listTeachers } from '../../../native-models/teachers/registry';
import { listImageFiles, stemOf, teachImageFile, writePair } from '../../../native-models/teachers/teach-files';
import { DEFAULT_SETTINGS, trainRun, type TrainSettings } from '../../../native-models/e2gan/trainer';
import { findShippedBase, samplePhotosDir } from '../../../native-models/e2gan/shipped-base';
import { exportTrainedRun, parsePrecisions } from '../../jobs/export-run';
import { numberFlag, progressPrinter, providersFlag } from './train';

const DEFAULT_CONCEPT = 'sepia-vintage';
// Small enough for about a minute of LoRA fine-tuning on two CPU cores, large enough to see the concept.
const DEFAULT_STEPS = 200;
const DEFAULT_SIZE = 64;

const usage = `Usage: e2gan demo --out DIR [--concept ID] [--steps N] [--size N] [--ep auto|cpu|webgpu] [--precision P,...]
                  [--samples DIR] [--base PATH]

The whole journey headless on the embedded defaults: the shipped sample photos are turned into training pairs
by a built-in teacher, a LoRA concept is fine-tuned on the shipped base model, and the result is exported as a
mobile bundle. The last line printed is bundle=<path to the .zip>.
  --out DIR        new or empty folder for pairs/, run/ and the bundle
  --concept ID     built-in teacher (default ${DEFAULT_CONCEPT}; see \`e2gan teachers list\`)
  --steps N        training steps (default ${DEFAULT_STEPS})
  --size N         training resolution, a multiple of 8 (default ${DEFAULT_SIZE})
  --ep EP          execution providers for training (default auto: the best one that opens here)
  --precision P    bundle variants besides fp32 (default fp16,int8)
  --samples DIR    photos to teach from (default: the shipped resources/samples)
  --base PATH|none base model .safetensors (default: the shipped resources/base-model/base.safetensors when this
                   build has one; 'none' fine-tunes a LoRA on a seeded random base)`;

async function ensureEmptyFolder(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir).catch(() => {
      throw new UsageError(`--out: ${dir} exists and is not a folder`);
    });
    if (entries.length > 0) throw new UsageError(`--out: ${dir} is not empty; the demo writes a fresh run, choose a new folder`);
  }
  await mkdir(dir, { recursive: true });
}

async function makePairs(io: CliIo, teacherId: string, samples: string, pairsDir: string, size: number): Promise<number> {
  const teacher = findTeacher(teacherId)!;
  const photos = await listImageFiles(samples).catch(() => {
    throw new Error(`${samples}: cannot read the sample photos folder`);
  });
  if (photos.length < 3) throw new Error(`${samples}: needs at least 3 photos (training holds 2 out for previews), found ${photos.length}`);
  await mkdir(pairsDir, { recursive: true });
  for (const [index, photo] of photos.entries()) {
    const { input, target } = await teachImageFile(teacher, photo, { size });
    await writePair(pairsDir, stemOf(photo), input, target);
    io.out(`[1/3 pairs] ${index + 1}/${photos.length} ${teacher.id}(${stemOf(photo)})`);
  }
  return photos.length;
}

const command: CliCommand = {
  path: ['demo'],
  summary: 'Run the whole journey headless: sample photos -> teacher -> LoRA fine-tune -> mobile bundle',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        concept: { type: 'string' },
        steps: { type: 'string' },
        size: { type: 'string' },
        ep: { type: 'string' },
        precision: { type: 'string', multiple: true },
        samples: { type: 'string' },
        base: { type: 'string' },
      },
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError('--out DIR is required');
    const conceptId = values.concept ?? DEFAULT_CONCEPT;
    if (!findTeacher(conceptId)) {
      throw new UsageError(
        `--concept: unknown teacher '${conceptId}' (known: ${listTeachers()
          .map((t) => t.id)
          .join(', ')})`,
      );
    }
    const steps = numberFlag(values.steps, '--steps', { integer: true, min: 1 }) ?? DEFAULT_STEPS;
    const size = numberFlag(values.size, '--size', { integer: true, min: 8 }) ?? DEFAULT_SIZE;
    if (size % 8 !== 0) throw new UsageError(`--size: expected a multiple of 8, got ${size}`);
    let precisions;
    try {
      precisions = parsePrecisions(values.precision ?? ['fp16,int8']);
    } catch (error) {
      throw new UsageError(`--${(error as Error).message}`);
    }
    const executionProviders = providersFlag(values.ep ?? 'auto');
    if (values.base !== undefined && values.base !== 'none' && !existsSync(values.base)) throw new UsageError(`--base: ${values.base} does not exist`);

    const out = resolve(values.out);
    await ensureEmptyFolder(out);
    const pairsDir = join(out, 'pairs');
    const runDir = join(out, 'run');
    const teacher = findTeacher(conceptId)!;

    const pairCount = await makePairs(io, conceptId, values.samples ?? samplePhotosDir(), pairsDir, size);
    io.out(`[1/3 pairs] ${pairCount} pairs in ${pairsDir}`);

    const base = values.base === 'none' ? undefined : (values.base ?? findShippedBase()?.weights);
    if (base) io.out(`[2/3 train] base model: ${base}`);
    else
      io.err(
        values.base === 'none'
          ? '[2/3 train] --base none: fine-tuning a LoRA on a seeded random base'
          : '[2/3 train] warning: this build ships no base model (resources/base-model/base.safetensors); fine-tuning a LoRA on a seeded random base, so the result shows the pipeline, not the quality',
      );
    const settings: TrainSettings = {
      ...DEFAULT_SETTINGS,
      pairs: pairsDir,
      ...(base ? { base } : { preset: 'tiny' as const }),
      mode: 'lora',
      steps,
      size,
      executionProviders,
      heldOut: 2,
      checkpointEvery: steps,
      previewEvery: steps,
    };
    const printTrain = progressPrinter(io);
    const stop = new AbortController();
    const onInterrupt = (): void => {
      io.err('\ninterrupted: stopping after this step (continue with e2gan train --out RUN --resume, then e2gan export)');
      stop.abort();
    };
    process.once('SIGINT', onInterrupt);
    let trained;
    try {
      trained = await trainRun(runDir, settings, { onEvent: printTrain, signal: stop.signal });
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    if (!trained.completed) {
      io.err(`[2/3 train] stopped at step ${trained.step} of ${steps}; no bundle written`);
      return 1;
    }

    const zip = join(out, `${conceptId}.zip`);
    let lastStage = '';
    const result = await exportTrainedRun({
      runPath: runDir,
      outZip: zip,
      precisions,
      concept: { id: conceptId, name: teacher.name, prompt: teacher.name },
      onProgress: (stage, fraction) => {
        if (stage !== lastStage) io.out(`[3/3 export] ${String(Math.round(fraction * 100)).padStart(3)}%  ${stage}`);
        lastStage = stage;
      },
    });
    for (const variant of result.manifest.variants) {
      io.out(
        `[3/3 export] ${variant.precision.padEnd(5)} ${(variant.bytes / 1048576).toFixed(2)} MB, ${variant.psnrVsFp32 === null ? 'reference' : `${variant.psnrVsFp32.toFixed(1)} dB vs fp32`}, ${variant.cpuLatencyMs.toFixed(1)} ms on this CPU`,
      );
    }
    for (const warning of result.warnings) io.err(`warning: ${warning}`);
    io.out(`bundle=${result.zipPath}`);
    return 0;
  },
};

export default command;
