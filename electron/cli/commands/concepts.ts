import { parseArgs } from 'node:util';
import type { Concept } from '../../domain/types';
import { UsageError, type CliCommand } from '../command';
import { parseId, withServices } from './with-services';

function table(concepts: Concept[]): string {
  if (concepts.length === 0) return 'No concepts yet. Add one with: e2gan concepts create --project ID NAME --prompt TEXT';
  const rows = concepts.map((c) => [String(c.id), c.name, c.teacher || '-', c.prompt]);
  const header = ['ID', 'NAME', 'TEACHER', 'PROMPT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const conceptsList: CliCommand = {
  path: ['concepts', 'list'],
  summary: "List a project's concepts (name, teacher, prompt)",
  usage: `Usage: e2gan concepts list --project ID [--json]`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { project: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false });
    const projectId = parseId(values.project, '--project');
    const concepts = await withServices((services) => services.concepts.list({ projectId }));
    io.out(values.json ? JSON.stringify(concepts, null, 2) : table(concepts));
    return 0;
  },
};

export const conceptsCreate: CliCommand = {
  path: ['concepts', 'create'],
  summary: 'Add a concept (an effect: its edit prompt and teacher) to a project',
  usage: `Usage: e2gan concepts create --project ID NAME [--prompt TEXT] [--teacher ID] [--json]

  --prompt TEXT   the edit instruction for the teacher, e.g. "make it a watercolor painting"
  --teacher ID    which teacher makes the target images (see e2gan teachers list)`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { project: { type: 'string' }, prompt: { type: 'string' }, teacher: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
    const projectId = parseId(values.project, '--project');
    if (positionals.length !== 1) throw new UsageError(`expected one NAME (quote names with spaces), got ${positionals.length} arguments`);
    const concept = await withServices((services) =>
      services.concepts.create({
        projectId,
        name: positionals[0]!,
        ...(values.prompt !== undefined ? { prompt: values.prompt } : {}),
        ...(values.teacher !== undefined ? { teacher: values.teacher } : {}),
      }),
    );
    io.out(values.json ? JSON.stringify(concept, null, 2) : `Created concept ${concept.id}: ${concept.name}`);
    return 0;
  },
};

export const imagesList: CliCommand = {
  path: ['images', 'list'],
  summary: "List a project's imported images",
  usage: `Usage: e2gan images list --project ID [--paths] [--json]

  --paths   also print where each original is stored (for scripts that read the files)`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { project: { type: 'string' }, paths: { type: 'boolean' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const projectId = parseId(values.project, '--project');
    const images = await withServices((services) =>
      services.images.list({ projectId }).map((image) => ({ ...image, path: services.images.blobPath(image.sha256) })),
    );
    if (values.json) {
      io.out(JSON.stringify(images, null, 2));
    } else if (images.length === 0) {
      io.out(`Project ${projectId} has no images. Import some with: e2gan import --project ${projectId} PATH...`);
    } else {
      io.out(
        images
          .map((i) => `${String(i.id).padStart(5)}  ${i.width}x${i.height} ${i.format.padEnd(4)}  ${i.originalName}${values.paths ? `  ${i.path}` : ''}`)
          .join('\n'),
      );
    }
    return 0;
  },
};
