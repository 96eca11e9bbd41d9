import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { baseSettings, DEFAULT_BASE_SETTINGS, trainBase, type BaseTrainEvent } from '../../../native-models/e2gan/base-trainer';
import { WIDTH_PRESETS, type WidthPreset } from '../../../native-models/e2gan/config';
import { SAMPLE_PHOTOS_SOURCE } from '../../../native-models/e2gan/shipped-base';
import { numberFlag, providersFlag } from './train';

const usage = `Usage: e2gan base train --out RUN [--preset tiny|small|base] [--size N] [--steps N] [--concepts a,b,...]
                        [--hold-out a,b,c,d] [--photos DIR[,DIR...]] [--ep auto|cpu|webgpu]
       e2gan base train --out RUN --resume

Pre-trains a multi-concept base generator (shared trunk + one token set per built-in concept teacher, and a
discriminator) on photos x teachers, targets computed on the fly from augmented crops. Writes RUN/run.json,
RUN/checkpoints/ and, when done, RUN/base.safetensors (fp16) + RUN/base.json, usable as \`e2gan train --base\`.
  --preset P         generator width (default ${DEFAULT_BASE_SETTINGS.preset})
  --size N           training resolution, a multiple of 8 (default ${DEFAULT_BASE_SETTINGS.size})
  --steps N          training steps, one concept per step (default ${DEFAULT_BASE_SETTINGS.steps})
  --batch N          photos per step (default ${DEFAULT_BASE_SETTINGS.batch})
  --concepts IDS     concepts to pre-train (default: every built-in teacher except the held-out ones)
  --hold-out IDS     concepts kept out to measure adaptation (default ${DEFAULT_BASE_SETTINGS.heldOutConcepts.join(',')})
  --photos DIRS      photo folders or files (default <resources>/samples, the shipped samples); the last
                     --eval-photos (sorted by path) are never trained on
  --eval-photos N    photos kept for evaluation (default ${DEFAULT_BASE_SETTINGS.evaluationPhotos})
  --lr X, --seed N, --checkpoint-every N
  --init BASE        continue pre-training from an earlier base of the same architecture (new lr schedule)
  --ep CHAIN         execution providers (default cpu)
  --resume           continue RUN from its newest checkpoint (other flags are ignored)`;

function idList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

export function baseProgressPrinter(io: CliIo): (event: BaseTrainEvent) => void {
  let lastLine = 0;
  return (event) => {
    switch (event.type) {
      case 'started':
        io.out(
          `base pre-training on ${event.executionProvider}: ${event.concepts} concepts x ${event.trainPhotos} photos (+${event.evaluationPhotos} kept for evaluation), ${event.generatorParameters} generator parameters${event.step > 0 ? `, resuming at step ${event.step}` : ''}`,
        );
        break;
      case 'step': {
        const now = Date.now();
        const bar = progressBar(event.step / event.totalSteps, 20);
        const line = `${bar} step ${event.step}/${event.totalSteps}  ${event.concept.padEnd(20)} loss_g ${event.losses.loss_g!.toFixed(3)}  loss_d ${event.losses.loss_d!.toFixed(3)}  l1 ${event.losses.l1!.toFixed(4)}  ${event.itPerSec.toFixed(2)} it/s  ETA ${formatSeconds(event.etaSeconds)}`;
        if (io.isTty) process.stdout.write(`\r${line}\u001b[K`);
        else if (now - lastLine > 10000 || event.step === event.totalSteps) {
          io.out(line);
          lastLine = now;
        }
        break;
      }
      case 'checkpoint':
        break;
      case 'done':
        if (io.isTty) process.stdout.write('\n');
        io.out(`done: ${event.output} (${event.step} steps, ${formatSeconds(event.seconds)})`);
        break;
    }
  };
}

function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

const command: CliCommand = {
  path: ['base', 'train'],
  summary: 'Pre-train a multi-concept base generator on photos x built-in teachers',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        resume: { type: 'boolean' },
        preset: { type: 'string' },
        size: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        concepts: { type: 'string' },
        'hold-out': { type: 'string' },
        photos: { type: 'string' },
        'eval-photos': { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        'checkpoint-every': { type: 'string' },
        ep: { type: 'string' },
        init: { type: 'string' },
      },
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError('--out RUN is required');
    const print = baseProgressPrinter(io);
    const stop = new AbortController();
    const onInterrupt = (): void => {
      io.err('\ninterrupted: writing a checkpoint (resume with --resume)');
      stop.abort();
    };
    process.once('SIGINT', onInterrupt);
    try {
      if (values.resume) {
        const result = await trainBase(values.out, undefined, { resume: true, onEvent: print, signal: stop.signal });
        return result.completed ? 0 : 1;
      }
      const preset = (values.preset ?? DEFAULT_BASE_SETTINGS.preset) as WidthPreset;
      if (!WIDTH_PRESETS.includes(preset)) throw new UsageError(`--preset: expected one of ${WIDTH_PRESETS.join(', ')}, got '${preset}'`);
      const settings = baseSettings({
        photos: idList(values.photos) ?? [SAMPLE_PHOTOS_SOURCE],
        ...(idList(values.concepts) ? { concepts: idList(values.concepts)! } : {}),
        ...(idList(values['hold-out']) ? { heldOutConcepts: idList(values['hold-out'])! } : {}),
        preset,
        size: numberFlag(values.size, '--size', { integer: true, min: 8 }) ?? DEFAULT_BASE_SETTINGS.size,
        steps: numberFlag(values.steps, '--steps', { integer: true, min: 1 }) ?? DEFAULT_BASE_SETTINGS.steps,
        batch: numberFlag(values.batch, '--batch', { integer: true, min: 1 }) ?? DEFAULT_BASE_SETTINGS.batch,
        evaluationPhotos: numberFlag(values['eval-photos'], '--eval-photos', { integer: true, min: 0 }) ?? DEFAULT_BASE_SETTINGS.evaluationPhotos,
        learningRate: numberFlag(values.lr, '--lr', { min: 0 }) ?? DEFAULT_BASE_SETTINGS.learningRate,
        seed: numberFlag(values.seed, '--seed', { integer: true, min: 0 }) ?? DEFAULT_BASE_SETTINGS.seed,
        checkpointEvery: numberFlag(values['checkpoint-every'], '--checkpoint-every', { integer: true, min: 1 }) ?? DEFAULT_BASE_SETTINGS.checkpointEvery,
        executionProviders: providersFlag(values.ep),
        ...(values.init ? { init: values.init } : {}),
      });
      const result = await trainBase(values.out, settings, { onEvent: print, signal: stop.signal });
      return result.completed ? 0 : 1;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  },
};

export default command;
