import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { RgbImage } from '../image/image';
import { isImageFileName, readImage, writeImage, type ImageFormat } from '../image/io';
import { resizeCover } from '../image/transform';
import type { ConceptTeacher } from './teacher';

/**
 * File-level use of a teacher: read a photo, optionally bring it to the training size, apply the concept,
 * write either the result or an input/target training pair (the `NAME.input.png` + `NAME.target.png`
 * layout that native-models/e2gan/pairs-dir reads).
 */

export interface TeachOptions {
  /** Square side: scale to cover and center-crop before teaching (what training pairs want). */
  size?: number;
  /** Otherwise shrink so the longer side is at most this (never enlarges). */
  maxSide?: number;
}

export async function teachImageFile(teacher: ConceptTeacher, path: string, options: TeachOptions = {}): Promise<{ input: RgbImage; target: RgbImage }> {
  let input = await readImage(path, options.maxSide !== undefined && options.size === undefined ? { maxSide: options.maxSide } : {});
  if (options.size !== undefined) input = resizeCover(input, options.size, options.size);
  return { input, target: teacher.apply(input) };
}

/** Image files directly inside `dir` (not recursive), sorted by name so runs are reproducible. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isImageFileName(entry.name))
    .map((entry) => join(dir, entry.name))
    .sort();
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** File name without folder and extension: `a/b/cat.photo.jpg` → `cat.photo`. */
export function stemOf(path: string): string {
  return basename(path, extname(path));
}

/** Writes NAME.input.png and NAME.target.png into `dir`; returns both paths. */
export async function writePair(dir: string, name: string, input: RgbImage, target: RgbImage): Promise<{ input: string; target: string }> {
  const paths = { input: join(dir, `${name}.input.png`), target: join(dir, `${name}.target.png`) };
  await writeImage(paths.input, input);
  await writeImage(paths.target, target);
  return paths;
}

export const OUTPUT_EXTENSIONS: Record<ImageFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp' };
