import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { samplePhotosDir } from '../../native-models/e2gan/shipped-base';
import type { ImportFile } from '../domain/types';

const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/**
 * The photos shipped in resources/samples (public domain / CC0, see its LICENSES.md), as import sources: the
 * photo files only, so the licence file is not reported as a skipped non-image.
 */
export async function listSamplePhotos(dir: string = samplePhotosDir()): Promise<ImportFile[]> {
  const names = await readdir(dir).catch(() => {
    throw new Error(`the sample photos folder ${dir} cannot be read; reinstall the app or import your own photos`);
  });
  const photos = names.filter((name) => PHOTO_EXTENSIONS.has(path.extname(name).toLowerCase())).sort();
  if (photos.length === 0) throw new Error(`the sample photos folder ${dir} has no photos`);
  return photos.map((name) => ({ path: path.join(dir, name), name }));
}
