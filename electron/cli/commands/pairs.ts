import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PairRecord } from '../../domain/pair-types';
import type { Services } from '../../services/index';
import { UsageError, type CliCommand } from '../command';
import { followJob } from './job-progress';
import { parseCount, parseId, withServices } from './with-services';

// `e2gan pairs list|make|accept|reject|import`: thin wrappers over services.pairs, the same calls the app makes.

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

/** The concept's project (the services look concepts up per project). */
function projectIdOf(services: Services, conceptId: number): number {
  for (const project of services.projects.list()) {
    if (services.concepts.list({ projectId: project.id }).some((c) => c.id === conceptId)) return project.id;
  }
  throw new UsageError(`--concept: concept ${conceptId} does not exist`);
}
