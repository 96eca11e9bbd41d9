import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { describeJobEnd, followJob } from './job-progress';
import { parseId, withServices } from './with-services';

const usage = `Usage: e2gan import --project ID PATH... [--json]

Imports image files and folders (recursively) into a project, the same job the app's drag and drop runs.
Non-images and corrupt files are listed as skipped with the reason; files already in the project are
listed as duplicates. Ctrl-C stops after the current file; resume with e2gan jobs resume JOB_ID.
  --project ID   the project to import into (see e2gan projects list)
  --json         print the finished job (with its result) as JSON`;

const importCommand: CliCommand = {
  path: ['import'],
  summary: 'Import image files and folders into a project',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { project: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
    const projectId = parseId(values.project, '--project');
    if (positionals.length === 0) throw new UsageError('expected at least one PATH to import');
    const files = positionals.map((p) => ({ path: path.resolve(p) }));
    const job = await withServices(async (services) => {
      const queued = services.imports.start({ projectId, sources: files });
      return followJob(services, queued.id, io);
    });
    io.out(values.json ? JSON.stringify(job, null, 2) : describeJobEnd(job));
    return job.state === 'done' ? 0 : 1;
  },
};

export default importCommand;
