import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readImage } from '../image/io';
import { randomCropScale, resizeCover } from '../image/transform';
import type { RgbImage } from '../image/image';
import { getTeacher, listTeachers, type ConceptTeacher } from '../teachers';
import { listImageFiles } from '../teachers/teach-files';
import type { Rng } from '../util/rng';
import { expandResourcesPath } from './shipped-base';

/**
 * Training data for the base: photos × built-in concept teachers. Targets are computed on the fly from the
 * AUGMENTED photo (crop/flip first, teacher second), so every target is exactly what the teacher makes of that
 * input — cropping a precomputed target would rescale pixel-art blocks, halftone dots and grain.
 */

/** Held out of base pre-training by default: one per teacher family, so adaptation is measured broadly. */
export const DEFAULT_HELD_OUT_CONCEPTS: readonly string[] = ['watercolour', 'halftone', 'thermal-camera', 'cyanotype'];

export interface ConceptSplit {
  readonly trained: readonly ConceptTeacher[];
  readonly heldOut: readonly ConceptTeacher[];
}

/** Resolves concept ids (default: every built-in teacher) minus the held-out ones; unknown ids are errors. */
export function splitConcepts(concepts: readonly string[] | undefined, heldOut: readonly string[] = DEFAULT_HELD_OUT_CONCEPTS): ConceptSplit {
  const held = heldOut.map((id) => getTeacher(id));
  const heldIds = new Set(held.map((t) => t.id));
  const chosen = concepts ? concepts.map((id) => getTeacher(id)) : listTeachers();
  const trained = chosen.filter((t) => !heldIds.has(t.id));
  const overlap = concepts?.filter((id) => heldIds.has(id)) ?? [];
  if (overlap.length > 0) throw new Error(`concepts ${overlap.join(', ')} are both trained and held out; drop them from --concepts or --hold-out`);
  if (trained.length === 0) throw new Error('no concepts left to pre-train on after the hold-out');
  if (new Set(trained.map((t) => t.id)).size !== trained.length) throw new Error('a concept is listed twice in --concepts');
  return { trained, heldOut: held };
}

export interface Photo {
  readonly name: string;
  readonly image: RgbImage;
}

export interface PhotoSet {
  readonly train: readonly Photo[];
  /** Photos never shown in training: quality is measured on these. */
  readonly evaluation: readonly Photo[];
}

/**
 * Loads every image in the given folders (or files), sorted by path, at most `maxSide` on the longer side.
 * The last `evaluationCount` photos become the evaluation split (the sort keeps the split stable).
 */
export async function loadPhotoSet(sources: readonly string[], options: { maxSide: number; evaluationCount: number }): Promise<PhotoSet> {
  const files: string[] = [];
  for (const given of sources) {
    const source = expandResourcesPath(given);
    const info = await stat(source).catch(() => undefined);
    if (!info) throw new Error(`${source}: no such photo folder or file`);
    if (info.isDirectory()) files.push(...(await listImageFiles(source)));
    else files.push(source);
  }
  const unique = [...new Set(files)].sort();
  if (unique.length < options.evaluationCount + 1) {
    throw new Error(
      `photos: found ${unique.length} image(s) in ${sources.join(', ')}, need at least ${options.evaluationCount + 1} (${options.evaluationCount} kept for evaluation)`,
    );
  }
  const photos: Photo[] = [];
  for (const file of unique) photos.push({ name: basename(file).replace(/\.[^.]+$/, ''), image: await readImage(file, { maxSide: options.maxSide }) });
  const split = photos.length - options.evaluationCount;
  return { train: photos.slice(0, split), evaluation: photos.slice(split) };
}

/** Training and evaluation photos from separate folders (the corpus layout: photos/ and eval/). */
export async function loadPhotoSplit(train: readonly string[], evaluation: readonly string[], options: { maxSide: number }): Promise<PhotoSet> {
  const trainSet = await loadPhotoSet(train, { maxSide: options.maxSide, evaluationCount: 0 });
  const evaluationSet = await loadPhotoSet(evaluation, { maxSide: options.maxSide, evaluationCount: 0 });
  const trainNames = new Set(trainSet.train.map((p) => p.name));
  const overlap = evaluationSet.train.filter((p) => trainNames.has(p.name)).map((p) => p.name);
  if (overlap.length > 0) throw new Error(`evaluation photos also in the training folders: ${overlap.join(', ')}`);
  return { train: trainSet.train, evaluation: evaluationSet.train };
}

export interface BaseAugmentation {
  readonly flipProbability: number;
  readonly minScale: number;
  readonly maxScale: number;
}

export const DEFAULT_BASE_AUGMENTATION: BaseAugmentation = { flipProbability: 0.5, minScale: 0.5, maxScale: 1 };

/** One training example: a random crop of a photo (size × size) and the teacher's rendering of that crop. */
export function makeExample(photo: Photo, teacher: ConceptTeacher, rng: Rng, size: number, augment: BaseAugmentation): { input: RgbImage; target: RgbImage } {
  const input = randomCropScale(photo.image, rng, { width: size, height: size, ...augment });
  return { input, target: teacher.apply(input) };
}

/** Evaluation example: the whole photo (center-covered to size × size) and its teacher target. */
export function evaluationExample(photo: Photo, teacher: ConceptTeacher, size: number): { input: RgbImage; target: RgbImage } {
  const input = resizeCover(photo.image, size, size);
  return { input, target: teacher.apply(input) };
}
