import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PairRecord } from '../../domain/pair-types';
import type { TrainingAdvanced, TrainingPreset, TrainingRun } from '../../domain/training-types';
import { UsageError, type CliCommand } from '../command';
import { followJob } from './job-progress';
import { parseId, withServices } from './with-services';

// CLI parity for the studio flow (issue 7): thin wrappers over services.pairs, .subset and .training, the same calls the app makes.

function pairsTable(pairs: PairRecord[]): string {
  if (pairs.length === 0) return 'No pairs yet. Make some with: e2gan pairs make --concept ID [--images ID,ID...]';
  return pairs
    .map((p) => {
      const subset = p.inSubset === null ? '' : p.inSubset ? '  [subset]' : '  [dropped]';
      return `${String(p.id).padStart(5)}  ${p.status.padEnd(14)}  ${p.name}${subset}${p.reason ? `  (${p.reason})` : ''}`;
    })
    .join('\n');
}

export const pairsList: CliCommand = {
  path: ['pairs', 'list'],
  summary: "List a concept's pairs with their curation status",
  usage: `Usage: e2gan pairs list --concept ID [--json]`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { concept: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false });
    const conceptId = parseId(values.concept, '--concept');
    const pairs = await withServices((services) => services.pairs.list({ conceptId }));
    io.out(values.json ? JSON.stringify(pairs, null, 2) : pairsTable(pairs));
    return 0;
  },
};

export const pairsMake: CliCommand = {
  path: ['pairs', 'make'],
  summary: "Make pairs from a project's photos with the concept's built-in teacher (the app's Generate)",
  usage: `Usage: e2gan pairs make --concept ID [--images ID,ID,...] [--seed N] [--json]

  --images   which photos (default: every photo of the concept's project; see e2gan images list)
For a diffusion teacher on files use e2gan pairs generate.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { concept: { type: 'string' }, images: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const conceptId = parseId(values.concept, '--concept');
    const seed = values.seed === undefined ? undefined : parseCount(values.seed, '--seed', 0);
    const job = await withServices(async (services) => {
      const imageIds = values.images
        ? values.images.split(',').map((id) => parseId(id.trim(), '--images'))
        : services.images.list({ projectId: projectIdOf(services, conceptId) }).map((image) => image.id);
      if (imageIds.length === 0) throw new UsageError('the project has no photos; import some with e2gan import');
      const queued = services.pairs.generate({ conceptId, imageIds, ...(seed !== undefined ? { seed } : {}) });
      return followJob(services, queued.id, io);
    });
    if (values.json) io.out(JSON.stringify(job, null, 2));
    else if (job.kind === 'generate-pairs' && job.result) {
      io.out(
        `Made ${job.result.pairIds.length} pair(s); ${job.result.failed.length} rejected or failed${job.result.notProcessed ? `, ${job.result.notProcessed} not processed` : ''}`,
      );
      for (const failure of job.result.failed) io.out(`  image ${failure.imageId}: ${failure.reason}`);
    } else io.out(`Job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}`);
    return job.state === 'done' ? 0 : 1;
  },
};

function statusCommand(word: 'accept' | 'reject'): CliCommand {
  return {
    path: ['pairs', word],
    summary: word === 'accept' ? 'Accept pairs for training (overrides a guard rejection)' : 'Reject pairs (left out of training)',
    usage: `Usage: e2gan pairs ${word} PAIR_ID...`,
    async run(args, io) {
      const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
      if (positionals.length === 0) throw new UsageError('expected at least one PAIR_ID (see e2gan pairs list)');
      const ids = positionals.map((id) => parseId(id, 'PAIR_ID'));
      const updated = await withServices((services) =>
        ids.map((id) => services.pairs.setStatus({ pairId: id, status: word === 'accept' ? 'accepted' : 'rejected' })),
      );
      io.out(pairsTable(updated));
      return 0;
    },
  };
}
export const pairsAccept = statusCommand('accept');
export const pairsReject = statusCommand('reject');

export const pairsImport: CliCommand = {
  path: ['pairs', 'import'],
  summary: 'Import before/after pairs (NAME.input.EXT + NAME.target.EXT files or folders, or two folders)',
  usage: `Usage: e2gan pairs import --concept ID PATH... [--json]`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { concept: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true });
    const conceptId = parseId(values.concept, '--concept');
    if (positionals.length === 0) throw new UsageError('expected at least one PATH');
    const result = await withServices((services) => services.pairs.importPaired({ conceptId, sources: positionals.map((p) => ({ path: path.resolve(p) })) }));
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      io.out(`Imported ${result.pairIds.length} pair(s)`);
      for (const skip of result.skipped) io.out(`  skipped ${skip.name}: ${skip.reason}`);
    }
    return result.pairIds.length > 0 ? 0 : 1;
  },
};

export const subsetCommand: CliCommand = {
  path: ['subset'],
  summary: "Keep a representative subset of a concept's pairs (k-means on colour/gradient features)",
  usage: `Usage: e2gan subset --concept ID --count N [--json]`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { concept: { type: 'string' }, count: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const conceptId = parseId(values.concept, '--concept');
    const count = parseCount(values.count, '--count', 1);
    const selection = await withServices((services) => services.subset.select({ conceptId, targetCount: count }));
    io.out(
      values.json
        ? JSON.stringify(selection, null, 2)
        : `Kept ${selection.keptPairIds.length} pair(s): ${selection.keptPairIds.join(', ')}; dropped ${selection.droppedPairIds.length}`,
    );
    return 0;
  },
};

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

function parseCount(value: string | undefined, flag: string, min: number): number {
  if (value === undefined) throw new UsageError(`${flag}: required`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
}

type Services = Parameters<Parameters<typeof withServices>[0]>[0];

/** The concept's project (the services look concepts up per project). */
function projectIdOf(services: Services, conceptId: number): number {
  for (const project of services.projects.list()) {
    if (services.concepts.list({ projectId: project.id }).some((c) => c.id === conceptId)) return project.id;
  }
  throw new UsageError(`--concept: concept ${conceptId} does not exist`);
}

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
