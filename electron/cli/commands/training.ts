import { parseArgs } from 'node:util';
import type { TrainingAdvanced, TrainingPreset, TrainingRun } from '../../domain/training-types';
import type { Services } from '../../services/index';
import { UsageError, type CliCommand } from '../command';
import { followJob } from './job-progress';
import { parseCount, parseId, withServices } from './with-services';

// `e2gan training start|resume|list|pause|cancel`: thin wrappers over services.training, the same calls the app
// makes. (`e2gan train` in train.ts is the other trainer: a pairs folder in, a run folder out, no database.)

function runLine(run: TrainingRun): string {
  const loss = run.lossHistory.at(-1);
  const losses = loss
    ? Object.entries(loss.losses)
        .map(([k, v]) => `${k}=${v.toFixed(4)}`)
        .join(' ')
    : '';
  return `${String(run.id).padStart(4)}  ${run.state.padEnd(11)}  step ${run.step}/${run.totalSteps}  ${run.settings.preset} ${run.settings.size}px rank ${run.settings.rank}  ${losses}`.trimEnd();
}

/** Trains in this process (the job runs in a worker here); Ctrl-C leaves the run interrupted and resumable. */
async function followRun(runId: number, start: (services: Services) => TrainingRun, io: Parameters<CliCommand['run']>[1]): Promise<TrainingRun> {
  return withServices(async (services) => {
    const run = start(services);
    await followJob(services, run.jobId!, io);
    return services.training.get({ runId: runId === 0 ? run.id : runId });
  });
}

export const trainingStart: CliCommand = {
  path: ['training', 'start'],
  summary: "Train a LoRA on the concept's kept pairs (the app's Train button) and wait for it",
  usage: `Usage: e2gan training start --concept ID [--preset fast|balanced|quality] [--steps N] [--size PX] [--rank R]
                            [--lr X] [--ep auto|cpu|webgpu] [--json]

Ctrl-C checkpoints and stops; continue with e2gan training resume RUN_ID.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        concept: { type: 'string' },
        preset: { type: 'string' },
        steps: { type: 'string' },
        size: { type: 'string' },
        rank: { type: 'string' },
        lr: { type: 'string' },
        ep: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    const conceptId = parseId(values.concept, '--concept');
    const preset = (values.preset ?? 'fast') as TrainingPreset;
    if (!['fast', 'balanced', 'quality'].includes(preset)) throw new UsageError(`--preset: expected fast, balanced or quality, got '${preset}'`);
    const advanced: TrainingAdvanced = {};
    if (values.steps !== undefined) advanced.steps = parseCount(values.steps, '--steps', 1);
    if (values.size !== undefined) advanced.size = parseCount(values.size, '--size', 16);
    if (values.rank !== undefined) advanced.rank = parseCount(values.rank, '--rank', 1);
    if (values.lr !== undefined) {
      const lr = Number(values.lr);
      if (!(lr > 0)) throw new UsageError(`--lr: expected a positive number, got '${values.lr}'`);
      advanced.learningRate = lr;
    }
    if (values.ep !== undefined) {
      if (!['auto', 'cpu', 'webgpu'].includes(values.ep)) throw new UsageError(`--ep: expected auto, cpu or webgpu, got '${values.ep}'`);
      advanced.executionProvider = values.ep as TrainingAdvanced['executionProvider'];
    }
    const run = await followRun(0, (services) => services.training.start({ conceptId, preset, advanced }), io);
    io.out(values.json ? JSON.stringify(run, null, 2) : runLine(run));
    return run.state === 'done' ? 0 : 1;
  },
};

export const trainingResume: CliCommand = {
  path: ['training', 'resume'],
  summary: 'Continue a paused, interrupted or failed training run and wait for it',
  usage: `Usage: e2gan training resume RUN_ID [--json]`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`expected one RUN_ID, got ${positionals.length}`);
    const runId = parseId(positionals[0], 'RUN_ID');
    const run = await followRun(runId, (services) => services.training.resume({ runId }), io);
    io.out(values.json ? JSON.stringify(run, null, 2) : runLine(run));
    return run.state === 'done' ? 0 : 1;
  },
};

export const trainingList: CliCommand = {
  path: ['training', 'list'],
  summary: "List a project's training runs (state, step, latest losses)",
  usage: `Usage: e2gan training list --project ID [--concept ID] [--json]`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { project: { type: 'string' }, concept: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const projectId = parseId(values.project, '--project');
    const conceptId = values.concept === undefined ? undefined : parseId(values.concept, '--concept');
    const runs = await withServices((services) => services.training.list({ projectId, ...(conceptId !== undefined ? { conceptId } : {}) }));
    io.out(
      values.json
        ? JSON.stringify(runs, null, 2)
        : runs.length === 0
          ? 'No training runs yet. Start one with: e2gan training start --concept ID'
          : runs.map(runLine).join('\n'),
    );
    return 0;
  },
};

function stopCommand(word: 'pause' | 'cancel'): CliCommand {
  return {
    path: ['training', word],
    summary: word === 'pause' ? 'Pause a training run (checkpoint + stop), also one the app is training' : 'Cancel a training run',
    usage: `Usage: e2gan training ${word} RUN_ID [--json]`,
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError(`expected one RUN_ID, got ${positionals.length}`);
      const runId = parseId(positionals[0], 'RUN_ID');
      // The process running the job stops it at its next step and records the final state.
      const run = await withServices((services) => (word === 'pause' ? services.training.pause({ runId }) : services.training.cancel({ runId })));
      io.out(values.json ? JSON.stringify(run, null, 2) : `${word === 'pause' ? 'Pausing' : 'Cancelling'} run ${run.id} (step ${run.step}/${run.totalSteps})`);
      return 0;
    },
  };
}
export const trainingPause = stopCommand('pause');
export const trainingCancel = stopCommand('cancel');
