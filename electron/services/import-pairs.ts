import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { MAX_IMPORT_PIXELS } from '../jobs/kinds/decode-image';
import { decodeImage, encodeImage, type RgbImage } from '../../native-models/image/index';
import type { Store } from '../store/store';
import type { PairsRepository } from '../store/repositories/pairs';
import { PAIR_MAX_SIDE, type ImportPairsResult } from '../domain/pair-types';
import type { ImportFile } from '../domain/types';

const PAIR_FILE = /^(.+)\.(input|target)\.(png|jpe?g|webp)$/i;
const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

interface Candidate {
  name: string;
  input?: string;
  target?: string;
}

/**
 * Imports already-paired before/after images: files named NAME.input.EXT + NAME.target.EXT (given one by one or
 * inside folders), or exactly two folders whose files match by name (the first folder holds the inputs).
 */
export async function importPairedFiles(
  store: Store,
  pairs: PairsRepository,
  owner: { projectId: number; conceptId: number },
  sources: readonly ImportFile[],
): Promise<ImportPairsResult> {
  const skipped: ImportPairsResult['skipped'] = [];
  const candidates = await collectCandidates(sources, skipped);
  const pairIds: number[] = [];
  // Content, not names, decides what is a duplicate (the same pair dropped twice, or under another name).
  const known = new Map(pairs.listByConcept(owner.conceptId).map((p) => [`${p.inputSha256}:${p.targetSha256}`, p.id]));
  for (const candidate of candidates) {
    if (!candidate.input || !candidate.target) {
      skipped.push({ name: candidate.name, reason: `no ${candidate.input ? 'target' : 'input'} image with the same name` });
      continue;
    }
    let input: RgbImage;
    let target: RgbImage;
    try {
      input = await decodeCapped(candidate.input);
      target = await decodeCapped(candidate.target);
    } catch (error) {
      skipped.push({ name: candidate.name, reason: (error as Error).message });
      continue;
    }
    if (input.width !== target.width || input.height !== target.height) {
      skipped.push({
        name: candidate.name,
        reason: `input is ${input.width}x${input.height} but target is ${target.width}x${target.height}; a pair must be the same size`,
      });
      continue;
    }
    const inputSha256 = await store.blobs.put(await encodeImage(input, 'png'));
    const targetSha256 = await store.blobs.put(await encodeImage(target, 'png'));
    const duplicate = known.get(`${inputSha256}:${targetSha256}`);
    if (duplicate !== undefined) {
      skipped.push({ name: candidate.name, reason: `same input and target as pair ${duplicate}` });
      continue;
    }
    const pair = pairs.upsert({
      ...owner,
      imageId: null,
      name: candidate.name,
      inputSha256,
      targetSha256,
      status: 'pending',
      reason: null,
      seed: 0,
      teacher: { kind: 'imported' },
    });
    pairIds.push(pair.id);
    known.set(`${inputSha256}:${targetSha256}`, pair.id);
  }
  return { pairIds, skipped };
}

/** Checks the header against the same megapixel cap as image imports before any pixel is decoded. */
async function decodeCapped(file: string): Promise<RgbImage> {
  const bytes = await readFile(file);
  const { width = 0, height = 0 } = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => ({ width: 0, height: 0 }));
  if (width * height > MAX_IMPORT_PIXELS) {
    throw new Error(`${path.basename(file)}: image is ${width}x${height} pixels; the limit is ${MAX_IMPORT_PIXELS / 1e6} megapixels`);
  }
  return decodeImage(bytes, file, { maxSide: PAIR_MAX_SIDE });
}

async function collectCandidates(sources: readonly ImportFile[], skipped: ImportPairsResult['skipped']): Promise<Candidate[]> {
  const kinds = await Promise.all(sources.map(async (source) => (await stat(source.path).catch(() => undefined))?.isDirectory() ?? null));
  const missing = sources.filter((_, i) => kinds[i] === null);
  for (const source of missing) skipped.push({ name: source.name ?? path.basename(source.path), reason: `${source.path}: not found` });
  if (sources.length === 2 && kinds[0] === true && kinds[1] === true) {
    const inputs = await listImages(sources[0]!.path);
    const targets = new Map((await listImages(sources[1]!.path)).map((file) => [stemOf(file), file]));
    return inputs.map((file) => ({ name: stemOf(file), input: file, target: targets.get(stemOf(file)) }));
  }
  const byName = new Map<string, Candidate>();
  const add = (file: string, shownName: string) => {
    const match = PAIR_FILE.exec(shownName);
    if (!match) {
      skipped.push({ name: shownName, reason: 'not named NAME.input.EXT or NAME.target.EXT (png, jpg, webp)' });
      return;
    }
    const name = match[1]!;
    const candidate = byName.get(name) ?? { name };
    candidate[match[2]!.toLowerCase() as 'input' | 'target'] = file;
    byName.set(name, candidate);
  };
  for (const [index, source] of sources.entries()) {
    if (kinds[index] === true) for (const file of await listImages(source.path)) add(file, path.basename(file));
    else if (kinds[index] === false) add(source.path, path.basename(source.name ?? source.path));
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && IMAGE_FILE.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function stemOf(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}
