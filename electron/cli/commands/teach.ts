import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { linesIo, printJson, UsageError, type CliCommand } from '../command';
import { findTeacher, listTeachers } from '../../../native-models/teachers/registry';
import { writeImage, formatFromPath, type ImageFormat } from '../../../native-models/image/io';
import {
  isDirectory,
  listImageFiles,
  OUTPUT_EXTENSIONS,
  stemOf,
  teachImageFile,
  writePair,
  type TeachOptions,
} from '../../../native-models/teachers/teach-files';

const usage = `Usage: e2gan teach --concept ID --in IMG|DIR --out PATH|DIR [--pairs] [--size N | --max-side N] [--format png|jpg|webp]

Applies a built-in concept teacher (see \`e2gan teachers list\`) to one image or every image in a folder.
  --concept ID    teacher id, e.g. pencil-sketch
  --in PATH       an image file, or a folder (its image files, not recursive)
  --out PATH      output file for one image, or a folder (created if missing)
  --pairs         write training pairs NAME.input.png + NAME.target.png into the --out folder
  --size N        scale to cover N x N and center-crop first (training size, e.g. 256)
  --max-side N    otherwise shrink so the longer side is at most N
  --format F      output format for folder output without --pairs (default png)
  --json          print the result as JSON on stdout (errors stay on stderr)`;

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive integer, got '${value}'`);
  return n;
}

function parseFormat(value: string | undefined): ImageFormat {
  if (value === undefined || value === 'png') return 'png';
  if (value === 'jpg' || value === 'jpeg') return 'jpeg';
  if (value === 'webp') return 'webp';
  throw new UsageError(`--format: expected png, jpg or webp, got '${value}'`);
}

const command: CliCommand = {
  path: ['teach'],
  summary: 'Apply a built-in concept teacher to images (or make training pairs)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        concept: { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        pairs: { type: 'boolean' },
        size: { type: 'string' },
        'max-side': { type: 'string' },
        format: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    const lines = linesIo(io, values.json);
    const written: { from: string; to: string[] }[] = [];
    if (!values.concept) throw new UsageError('--concept is required');
    if (!values.in) throw new UsageError('--in is required');
    if (!values.out) throw new UsageError('--out is required');
    const teacher = findTeacher(values.concept);
    if (!teacher) {
      throw new UsageError(
        `--concept: unknown teacher '${values.concept}' (known: ${listTeachers()
          .map((t) => t.id)
          .join(', ')})`,
      );
    }
    const options: TeachOptions = { size: positiveInt(values.size, '--size'), maxSide: positiveInt(values['max-side'], '--max-side') };
    if (options.size !== undefined && options.maxSide !== undefined) throw new UsageError('--size and --max-side exclude each other');
    const format = parseFormat(values.format);

    const inputIsDir = await isDirectory(values.in);
    const inputs = inputIsDir ? await listImageFiles(values.in) : [values.in];
    if (inputs.length === 0) throw new Error(`${values.in}: folder holds no image files (.png, .jpg, .jpeg, .webp, …)`);
    // One image may go to a file path; several always go into a folder.
    const outIsDir = values.pairs || inputIsDir || (await isDirectory(values.out));
    if (outIsDir) await mkdir(values.out, { recursive: true });
    else formatFromPath(values.out); // fail on a bad extension before doing the work

    let failures = 0;
    for (const path of inputs) {
      try {
        const { input, target } = await teachImageFile(teacher, path, options);
        const name = stemOf(path);
        if (values.pairs) {
          const pair = await writePair(values.out, name, input, target);
          lines.out(`${path} -> ${pair.input}, ${pair.target}`);
          written.push({ from: path, to: [pair.input, pair.target] });
        } else {
          const outPath = outIsDir ? join(values.out, `${name}${OUTPUT_EXTENSIONS[format]}`) : values.out;
          await mkdir(dirname(outPath), { recursive: true });
          await writeImage(outPath, target);
          lines.out(`${path} -> ${outPath}`);
          written.push({ from: path, to: [outPath] });
        }
      } catch (error) {
        // In a folder, one bad file should not stop the rest; it is reported and fails the exit code.
        if (!inputIsDir) throw error;
        failures++;
        io.err(error instanceof Error ? error.message : String(error));
      }
    }
    const done = inputs.length - failures;
    if (values.json) printJson(io, { teacher: teacher.id, images: inputs.length, failed: failures, written });
    lines.out(`${teacher.id}: ${done} of ${inputs.length} image${inputs.length === 1 ? '' : 's'} written${failures ? `, ${failures} failed` : ''}`);
    return failures ? 1 : 0;
  },
};

export default command;
