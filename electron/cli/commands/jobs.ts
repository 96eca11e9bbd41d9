import { parseArgs } from 'node:util';
import type { Job } from '../../domain/types';
import { UsageError, type CliCommand } from '../command';
import { describeJobEnd, followJob } from './job-progress';
import { parseId, withServices } from './with-services';

function table(jobs: Job[]): string {
  if (jobs.length === 0) return 'No jobs.';
  const rows = jobs.map((j) => [
    String(j.id),
    j.kind,
    j.projectId === null ? '-' : String(j.projectId),
    j.state,
    `${Math.round(j.progress * 100)}%`,
    j.createdAt,
    j.error ?? j.message ?? '',
  ]);
  const header = ['ID', 'KIND', 'PROJECT', 'STATE', 'PROGRESS', 'CREATED', 'MESSAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const jobsList: CliCommand = {
  path: ['jobs', 'list'],
  summary: 'List jobs (imports, pair generation, training, exports, model downloads), newest first',
  usage: `Usage: e2gan jobs list [--project ID] [--limit N] [--json]`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { project: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const filter = {
      ...(values.project !== undefined ? { projectId: parseId(values.project, '--project') } : {}),
      limit: values.limit === undefined ? 50 : parseId(values.limit, '--limit'),
    };
    const jobs = await withServices((services) => services.jobs.list(filter));
    io.out(values.json ? JSON.stringify(jobs, null, 2) : table(jobs));
    return 0;
  },
};

export const jobsResume: CliCommand = {
  path: ['jobs', 'resume'],
  summary: 'Resume an interrupted (or retry a failed) job and follow it to the end',
  usage: `Usage: e2gan jobs resume JOB_ID [--json]

Continues the job from where it stopped (an import skips the files it already settled).`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`expected one JOB_ID, got ${positionals.length} arguments`);
    const id = parseId(positionals[0], 'JOB_ID');
    const job = await withServices(async (services) => {
      services.jobs.resume({ jobId: id });
      return followJob(services, id, io);
    });
    io.out(values.json ? JSON.stringify(job, null, 2) : describeJobEnd(job));
    return job.state === 'done' ? 0 : 1;
  },
};

export const jobsDiscard: CliCommand = {
  path: ['jobs', 'discard'],
  summary: 'Give up an interrupted job (work it finished is kept)',
  usage: `Usage: e2gan jobs discard JOB_ID`,
  async run(args, io) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`expected one JOB_ID, got ${positionals.length} arguments`);
    const id = parseId(positionals[0], 'JOB_ID');
    const job = await withServices((services) => services.jobs.discard({ jobId: id }));
    io.out(`Job ${job.id} discarded (${job.state})`);
    return 0;
  },
};
