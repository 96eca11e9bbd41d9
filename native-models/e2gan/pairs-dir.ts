import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../image/io';
import { resizeCover } from '../image/transform';
import type { RgbImage } from '../image/image';

/**
 * A pairs directory holds training pairs as `NAME.input.(png|jpg|jpeg)` + `NAME.target.(png|jpg|jpeg)`. Anything
 * that does not form a clean pair is reported with the file and the reason, never silently dropped: a user who
 * misnames one file must see it, not get a quietly smaller data set.
 */
export interface PairFiles {
  readonly name: string;
  readonly input: string;
  readonly target: string;
}

export interface PairProblem {
  readonly file: string;
  readonly reason: string;
}

export interface PairsListing {
  readonly pairs: PairFiles[];
  readonly problems: PairProblem[];
}

export interface LoadedPair {
  readonly name: string;
  readonly input: RgbImage;
  readonly target: RgbImage;
}

export interface LoadedPairs {
  readonly pairs: LoadedPair[];
  readonly problems: PairProblem[];
}

const PAIR_FILE = /^(.+)\.(input|target)\.(png|jpe?g)$/i;

export async function listPairsDir(dir: string): Promise<PairsListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`${dir}: cannot read pairs directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const problems: PairProblem[] = [];
  const byName = new Map<string, { input: string[]; target: string[] }>();
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue; // hidden files (.DS_Store, editor swap files) are not pair candidates
    const path = join(dir, entry.name);
    if (!entry.isFile()) {
      problems.push({ file: path, reason: 'not a regular file (expected NAME.input.png|jpg or NAME.target.png|jpg)' });
      continue;
    }
    const match = PAIR_FILE.exec(entry.name);
    if (!match) {
      problems.push({ file: path, reason: 'name does not match NAME.input.(png|jpg) or NAME.target.(png|jpg)' });
      continue;
    }
    const [, name, role] = match as unknown as [string, string, string];
    const slot = byName.get(name) ?? { input: [], target: [] };
    slot[role.toLowerCase() as 'input' | 'target'].push(path);
    byName.set(name, slot);
  }
  const pairs: PairFiles[] = [];
  for (const [name, slot] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ambiguous = slot.input.length > 1 || slot.target.length > 1;
    if (ambiguous) {
      for (const file of [...slot.input, ...slot.target]) {
        problems.push({ file, reason: `pair '${name}' has more than one ${slot.input.length > 1 ? 'input' : 'target'} file; keep exactly one of each` });
      }
      continue;
    }
    if (slot.input.length === 0) {
      problems.push({ file: slot.target[0]!, reason: `no matching input file ${name}.input.(png|jpg)` });
      continue;
    }
    if (slot.target.length === 0) {
      problems.push({ file: slot.input[0]!, reason: `no matching target file ${name}.target.(png|jpg)` });
      continue;
    }
    pairs.push({ name, input: slot.input[0]!, target: slot.target[0]! });
  }
  return { pairs, problems };
}

export interface LoadPairsOptions {
  /** Resize (cover + center crop) both images to size x size; default keeps the original size. */
  size?: number;
}

/** Lists and decodes every pair; unreadable or size-mismatched pairs join the problems list. */
export async function loadPairsDir(dir: string, options: LoadPairsOptions = {}): Promise<LoadedPairs> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${dir}: pairs directory does not exist or is not a directory`);
  const listing = await listPairsDir(dir);
  const problems = [...listing.problems];
  const pairs: LoadedPair[] = [];
  for (const files of listing.pairs) {
    let input: RgbImage;
    let target: RgbImage;
    try {
      input = await readImage(files.input);
    } catch (error) {
      problems.push({ file: files.input, reason: errorReason(error, files.input) });
      continue;
    }
    try {
      target = await readImage(files.target);
    } catch (error) {
      problems.push({ file: files.target, reason: errorReason(error, files.target) });
      continue;
    }
    if (input.width !== target.width || input.height !== target.height) {
      problems.push({ file: files.target, reason: `size ${target.width}x${target.height} differs from its input's ${input.width}x${input.height}` });
      continue;
    }
    if (options.size !== undefined) {
      input = resizeCover(input, options.size, options.size);
      target = resizeCover(target, options.size, options.size);
    }
    pairs.push({ name: files.name, input, target });
  }
  return { pairs, problems };
}

function errorReason(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // readImage prefixes the path; the problem record already carries it.
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

export function formatProblems(problems: readonly PairProblem[]): string {
  return problems.map((p) => `  ${p.file}: ${p.reason}`).join('\n');
}
