import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { linesIo, printJson, UsageError, type CliCommand, type CliIo } from '../command';
import { isExecutionProviderName, type ExecutionProviderName } from '../../../native-models/runtime';
import { bestBaselinePsnr, type QualityBaselines } from '../../../native-models/image/colour-baselines';
import { DEFAULT_SETTINGS, trainRun, type TrainEvent, type TrainSettings } from '../../../native-models/e2gan/trainer';
import { runRankSearch } from '../../../native-models/e2gan/rank-search-run';
import { formatRankReport } from '../../../native-models/e2gan/rank-search';
import { WIDTH_PRESETS, type WidthPreset } from '../../../native-models/e2gan/config';
import { formatProblems } from '../../../native-models/e2gan/pairs-dir';
import { writeFileAtomic } from '../../../native-models/io/atomic-file';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';

const usage = `Usage: e2gan train --pairs DIR --out RUN [--base PATH] [--steps N] [--rank auto|N] [--ep auto|cpu|webgpu] [options]
       e2gan train --out RUN --resume

Fine-tunes an E2GAN concept on a pairs folder (NAME.input.png|jpg + NAME.target.png|jpg) and writes the run
folder RUN (run.json, checkpoints/, previews/, concept.safetensors or generator.safetensors).
  --base PATH|none     base model .safetensors (default: the shipped base, resources/base-model/base.safetensors,
                       when this build has one; 'none' starts the generator from a seeded random init)
  --steps N            training steps (default ${DEFAULT_SETTINGS.steps})
  --rank auto|N        LoRA rank on every eligible layer, or 'auto' for a rank search first (default ${DEFAULT_SETTINGS.ranks})
  --ep auto|cpu|webgpu execution provider chain (default auto, as in the studio: the best one that works here)
  --resume             continue RUN from its newest checkpoint (other flags are ignored)
  --json               print the result as JSON on stdout (progress stays on stderr)
  --mode lora|full|scratch   LoRA from base (default), full fine-tune from base, or training from scratch
  --size N             training resolution (default ${DEFAULT_SETTINGS.size}; a multiple of 8)
  --preset tiny|small|base   generator width without --base (default ${DEFAULT_SETTINGS.preset})
  --batch N            batch size (default ${DEFAULT_SETTINGS.batch})
  --lr X               generator learning rate (default ${DEFAULT_SETTINGS.learningRate})
  --seed N             seed for init, sampling and augmentation (default ${DEFAULT_SETTINGS.seed})
  --held-out N         pairs held out for previews and validation (default ${DEFAULT_SETTINGS.heldOut})
  --feature-matching X discriminator feature-matching weight in the generator loss (default 0 = off)
  --edge-weight X      weight of L1 on image gradients (edges, texture) in the generator loss (default ${DEFAULT_SETTINGS.edgeWeight}; 0 = off)
  --checkpoint-every N, --preview-every N   (default ${DEFAULT_SETTINGS.checkpointEvery}, ${DEFAULT_SETTINGS.previewEvery})`;

export function numberFlag(value: string | undefined, flag: string, options: { integer?: boolean; min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n)) || (options.min !== undefined && n < options.min)) {
    throw new UsageError(
      `${flag}: expected ${options.integer ? 'an integer' : 'a number'}${options.min !== undefined ? ` >= ${options.min}` : ''}, got '${value}'`,
    );
  }
  return n;
}

export function providersFlag(value: string | undefined): readonly ExecutionProviderName[] | 'auto' {
  if (value === undefined) return ['cpu'];
  if (value === 'auto') return 'auto';
  const names = value.split(',');
  for (const name of names) if (!isExecutionProviderName(name)) throw new UsageError(`--ep: unknown execution provider '${name}'`);
  return names as ExecutionProviderName[];
}

/** Progress (start, steps, previews) on stderr; the final "done" line is the result, on stdout. */
export function progressPrinter(io: CliIo): (event: TrainEvent) => void {
  let lastLine = 0;
  const drawInPlace = io.isTty && Boolean(process.stderr.isTTY);
  return (event) => {
    switch (event.type) {
      case 'started':
        io.err(
          `training on ${event.executionProvider}: ${event.trainPairs} pairs (+${event.heldOutPairs} held out), ${event.trainableParameters} trainable of ${event.generatorParameters} generator parameters${event.step > 0 ? `, resuming at step ${event.step}` : ''}`,
        );
        if (event.randomBase) io.err('note: no --base given; the generator starts from a seeded random initialisation');
        if (event.problems.length > 0) io.err(`${event.problems.length} file(s) skipped:\n${formatProblems(event.problems)}`);
        break;
      case 'step': {
        const now = Date.now();
        const line = `step ${event.step}/${event.totalSteps}  loss_g ${event.losses.loss_g!.toFixed(4)}  loss_d ${event.losses.loss_d!.toFixed(4)}  l1 ${event.losses.l1!.toFixed(4)}  ${event.itPerSec.toFixed(2)} it/s  ETA ${formatSeconds(event.etaSeconds)}`;
        if (drawInPlace) process.stderr.write(`\r${line}\u001b[K`);
        else if (now - lastLine > 5000 || event.step === event.totalSteps) {
          io.err(line);
          lastLine = now;
        }
        break;
      }
      case 'preview':
        if (drawInPlace) process.stderr.write('\n');
        io.err(
          `preview at step ${event.step}: held-out L1 ${event.heldOutL1.toFixed(4)}, PSNR ${event.heldOutPsnr.toFixed(2)} dB ${baselineNote(event.heldOutPsnr, event.baselines)} (${event.files.length} images)`,
        );
        break;
      case 'checkpoint':
        break;
      case 'done':
        if (drawInPlace) process.stderr.write('\n');
        io.out(
          `done: ${event.output} (${event.step} steps, ${formatSeconds(event.seconds)}, held-out PSNR ${event.heldOutPsnr.toFixed(2)} dB ${baselineNote(event.heldOutPsnr, event.baselines)}${event.keptStep !== event.step ? `; kept the weights of step ${event.keptStep}, its best held-out score` : ''})`,
        );
        break;
    }
  };
}

/** "(input as output 17.9 dB, colour fit 26.5 dB: loses to the colour fit by 5.1 dB)" */
export function baselineNote(psnr: number, baselines: Pick<QualityBaselines, 'identityPsnr' | 'affinePsnr'>): string {
  if (!Number.isFinite(psnr) || !Number.isFinite(baselines.identityPsnr)) return '';
  const better = bestBaselinePsnr(baselines);
  const name = better === baselines.affinePsnr ? 'colour fit' : 'input as output';
  const margin = psnr - better;
  const verdict = margin > 0 ? `beats the ${name} by ${margin.toFixed(2)} dB` : `LOSES to the ${name} by ${(-margin).toFixed(2)} dB`;
  return `(input as output ${baselines.identityPsnr.toFixed(2)} dB, colour fit ${baselines.affinePsnr.toFixed(2)} dB: ${verdict})`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

export const trainOptions = {
  pairs: { type: 'string' },
  base: { type: 'string' },
  out: { type: 'string' },
  steps: { type: 'string' },
  rank: { type: 'string' },
  ep: { type: 'string' },
  resume: { type: 'boolean' },
  mode: { type: 'string' },
  size: { type: 'string' },
  preset: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  'held-out': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'preview-every': { type: 'string' },
  'feature-matching': { type: 'string' },
  'edge-weight': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** --base PATH, 'none', or (absent) the shipped base when there is one; scratch training never uses a base. */
function baseFromFlag(flag: string | undefined, mode: string): string | undefined {
  if (flag === 'none' || mode === 'scratch') return undefined;
  return flag ?? findShippedBase()?.weights;
}

/** Settings from flags (shared with rank-search). `rank` is left to the caller when it is 'auto'. */
export function settingsFromFlags(values: Record<string, string | boolean | undefined>): TrainSettings {
  const str = (k: string) => values[k] as string | undefined;
  if (!str('pairs')) throw new UsageError('--pairs DIR is required');
  const preset = (str('preset') ?? DEFAULT_SETTINGS.preset) as WidthPreset;
  if (!WIDTH_PRESETS.includes(preset)) throw new UsageError(`--preset: expected one of ${WIDTH_PRESETS.join(', ')}, got '${preset}'`);
  const mode = str('mode') ?? 'lora';
  if (!['lora', 'full', 'scratch'].includes(mode)) throw new UsageError(`--mode: expected lora, full or scratch, got '${mode}'`);
  const rank = str('rank');
  const ranks = rank === undefined || rank === 'auto' ? DEFAULT_SETTINGS.ranks : numberFlag(rank, '--rank', { integer: true, min: 0 })!;
  const steps = numberFlag(str('steps'), '--steps', { integer: true, min: 1 }) ?? DEFAULT_SETTINGS.steps;
  return {
    ...DEFAULT_SETTINGS,
    pairs: str('pairs')!,
    ...(baseFromFlag(str('base'), mode) ? { base: baseFromFlag(str('base'), mode)! } : {}),
    preset,
    mode: mode as TrainSettings['mode'],
    ranks,
    steps,
    size: numberFlag(str('size'), '--size', { integer: true, min: 8 }) ?? DEFAULT_SETTINGS.size,
    batch: numberFlag(str('batch'), '--batch', { integer: true, min: 1 }) ?? DEFAULT_SETTINGS.batch,
    learningRate: numberFlag(str('lr'), '--lr', { min: 0 }) ?? (mode === 'lora' ? DEFAULT_SETTINGS.learningRate : 2e-4),
    seed: numberFlag(str('seed'), '--seed', { integer: true, min: 0 }) ?? DEFAULT_SETTINGS.seed,
    heldOut: numberFlag(str('held-out'), '--held-out', { integer: true, min: 0 }) ?? DEFAULT_SETTINGS.heldOut,
    checkpointEvery: numberFlag(str('checkpoint-every'), '--checkpoint-every', { integer: true, min: 1 }) ?? Math.min(DEFAULT_SETTINGS.checkpointEvery, steps),
    previewEvery: numberFlag(str('preview-every'), '--preview-every', { integer: true, min: 1 }) ?? DEFAULT_SETTINGS.previewEvery,
    // The studio's default: the best execution provider that opens a session here, CPU as the fallback.
    executionProviders: str('ep') === undefined ? 'auto' : providersFlag(str('ep')),
    featureMatchingWeight: numberFlag(str('feature-matching'), '--feature-matching', { min: 0 }) ?? 0,
    edgeWeight: numberFlag(str('edge-weight'), '--edge-weight', { min: 0 }) ?? DEFAULT_SETTINGS.edgeWeight ?? 0,
  };
}

const command: CliCommand = {
  path: ['train'],
  summary: 'Fine-tune an E2GAN concept (LoRA) on a pairs folder',
  usage,
  async run(args, io) {
    const values = parseTrainArgs(args);
    if (!values.out) throw new UsageError('--out RUN is required');
    const lines = linesIo(io, values.json);
    const print = progressPrinter(lines);
    // Ctrl-C stops after the current step and writes a checkpoint, so --resume loses nothing.
    const stop = new AbortController();
    const onInterrupt = (): void => {
      io.err('\ninterrupted: writing a checkpoint (resume with --resume)');
      stop.abort();
    };
    process.once('SIGINT', onInterrupt);
    try {
      const result = await trainCommand(values, lines, print, stop.signal);
      if (values.json) {
        printJson(io, {
          run: values.out,
          completed: result.completed,
          step: result.step,
          seconds: result.seconds,
          heldOutL1: finiteOrNull(result.heldOutL1),
          heldOutPsnr: finiteOrNull(result.heldOutPsnr),
          baselines: { identityPsnr: finiteOrNull(result.baselines.identityPsnr), affinePsnr: finiteOrNull(result.baselines.affinePsnr) },
          ...(result.output ? { output: result.output } : {}),
        });
      }
      return result.completed ? 0 : 1;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  },
};

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

async function trainCommand(
  values: ReturnType<typeof parseTrainArgs>,
  io: CliIo,
  print: (event: TrainEvent) => void,
  signal: AbortSignal,
): Promise<Awaited<ReturnType<typeof trainRun>>> {
  if (!values.out) throw new UsageError('--out RUN is required');
  if (values.resume) return trainRun(values.out, undefined, { resume: true, onEvent: print, signal });
  let settings = settingsFromFlags(values);
  if (values.rank === 'auto') {
    io.err('rank search: short fine-tunes from rank 8 per layer group...');
    const report = await runRankSearch(settings, {
      startRank: 8,
      trialSteps: Math.max(10, Math.round(settings.steps / 10)),
      onTrial: (label, _ranks, loss) => io.err(`  ${label}: validation L1 ${loss.toFixed(5)}`),
    });
    await writeFileAtomic(join(values.out, 'rank-search.txt'), `${formatRankReport(report)}\n`);
    io.out(formatRankReport(report));
    settings = { ...settings, ranks: report.ranks };
  }
  return trainRun(values.out, settings, { onEvent: print, signal });
}

function parseTrainArgs(args: string[]) {
  return parseArgs({ args, options: trainOptions, allowPositionals: false }).values;
}

export default command;
