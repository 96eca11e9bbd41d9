import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The base model shipped with the app: <resources>/base-model/base.safetensors (+ base.json, MODEL_CARD.md).
 * Replacing those files with a stronger base needs no code change. The resources folder is the repo's
 * resources/ in development and the CLI, and process.resourcesPath/resources in a packaged app.
 */
export const SHIPPED_BASE_DIR = 'base-model';

/** File names inside a base folder (what `e2gan train --base` and this resolver read). */
export const BASE_WEIGHTS_FILE = 'base.safetensors';
export const BASE_CONFIG_FILE = 'base.json';

/**
 * Photo sources under the app's resources are stored as `<resources>/...` in run.json / base.json, so a
 * shipped base.json names its photos on every machine, not only the one it was trained on.
 */
export const RESOURCES_TOKEN = '<resources>';

export function expandResourcesPath(path: string, resourcesDir: string = defaultResourcesDir()): string {
  return path.startsWith(RESOURCES_TOKEN) ? join(resourcesDir, path.slice(RESOURCES_TOKEN.length)) : path;
}

export function defaultResourcesDir(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'resources', SHIPPED_BASE_DIR))) return join(packaged, 'resources');
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');
}

export interface ShippedBase {
  readonly weights: string;
  readonly config: string;
  readonly dir: string;
}

/** The shipped base's files, or undefined when this build has none (training then starts from a random init). */
export function findShippedBase(resourcesDir: string = defaultResourcesDir()): ShippedBase | undefined {
  const dir = join(resourcesDir, SHIPPED_BASE_DIR);
  const weights = join(dir, BASE_WEIGHTS_FILE);
  if (!existsSync(weights)) return undefined;
  return { weights, config: join(dir, BASE_CONFIG_FILE), dir };
}

/** The samples folder shipped for demos; the default photo source for `e2gan base train`. */
export function samplePhotosDir(resourcesDir: string = defaultResourcesDir()): string {
  return join(resourcesDir, 'samples');
}

/** The portable spelling of the samples folder, for settings files. */
export const SAMPLE_PHOTOS_SOURCE = `${RESOURCES_TOKEN}/samples`;
