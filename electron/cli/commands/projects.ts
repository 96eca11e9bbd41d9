import { parseArgs } from 'node:util';
import type { Project } from '../../domain/types';
import { UsageError, type CliCommand } from '../command';
import { parseId, withServices } from './with-services';

function table(projects: Project[]): string {
  if (projects.length === 0) return 'No projects yet. Create one with: e2gan projects create NAME';
  const rows = projects.map((p) => [String(p.id), p.name, String(p.imageCount), String(p.conceptCount), p.updatedAt]);
  const header = ['ID', 'NAME', 'IMAGES', 'CONCEPTS', 'UPDATED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const projectsList: CliCommand = {
  path: ['projects', 'list'],
  summary: 'List projects (id, name, image and concept counts)',
  usage: `Usage: e2gan projects list [--json]

Lists the projects in the data folder, most recently changed first.
  --json   machine-readable output`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false });
    const projects = await withServices((services) => services.projects.list());
    io.out(values.json ? JSON.stringify(projects, null, 2) : table(projects));
    return 0;
  },
};

export const projectsCreate: CliCommand = {
  path: ['projects', 'create'],
  summary: 'Create a project',
  usage: `Usage: e2gan projects create NAME [--json]

Creates a project and prints its id.
  --json   print the created project as JSON`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`expected one NAME (quote names with spaces), got ${positionals.length} arguments`);
    const project = await withServices((services) => services.projects.create({ name: positionals[0]! }));
    io.out(values.json ? JSON.stringify(project, null, 2) : `Created project ${project.id}: ${project.name}`);
    return 0;
  },
};

export const projectsRename: CliCommand = {
  path: ['projects', 'rename'],
  summary: 'Rename a project',
  usage: `Usage: e2gan projects rename ID NAME`,
  async run(args, io) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    if (positionals.length !== 2) throw new UsageError(`expected ID and NAME, got ${positionals.length} arguments`);
    const id = parseId(positionals[0], 'ID');
    const project = await withServices((services) => services.projects.rename({ projectId: id, name: positionals[1]! }));
    io.out(`Renamed project ${project.id} to ${project.name}`);
    return 0;
  },
};

export const projectsDelete: CliCommand = {
  path: ['projects', 'delete'],
  summary: 'Delete a project with its concepts, images and jobs',
  usage: `Usage: e2gan projects delete ID --yes

Deletes the project and everything in it. --yes confirms; without it nothing is deleted.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { yes: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`expected one ID, got ${positionals.length} arguments`);
    const id = parseId(positionals[0], 'ID');
    if (!values.yes) throw new UsageError('deleting a project cannot be undone; add --yes to confirm');
    const name = await withServices((services) => {
      const { name: projectName } = services.projects.get({ projectId: id });
      services.projects.delete({ projectId: id });
      return projectName;
    });
    io.out(`Deleted project ${id}: ${name}`);
    return 0;
  },
};
