import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { checkDiffusersOnnxLayout } from '../layout';
import { sha256File } from './hashing';

/** Written into every installed model folder: where it came from and the sha256 of each file. */
export const MODEL_MANIFEST_FILE = '.e2gan-model.json';

export interface ModelManifest {
  name: string;
  source: { kind: 'import'; path: string } | { kind: 'huggingface'; repoId: string; revision: string; baseUrl: string };
  installedAt: string;
  files: { path: string; size: number; sha256: string }[];
}

export interface InstalledModel {
  name: string;
  dir: string;
  pipelineClass: string | undefined;
  sizeBytes: number;
  manifest: ModelManifest | undefined;
  /** Set when the folder is not a loadable ONNX export (the reason names the file). */
  problem: string | undefined;
}

/** A model folder name: letters, digits, dot, dash, underscore; a Hub id "org/name" becomes "org--name". */
export function modelNameFromRepoId(repoId: string): string {
  return repoId.replace(/\//g, '--');
}

export function validateModelName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) || name.includes('..')) {
    throw new Error(`invalid model name ${JSON.stringify(name)}: use letters, digits, '.', '-', '_' (max 128 characters)`);
  }
  return name;
}

async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFilesRecursive(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const file of await listFilesRecursive(dir)) total += (await stat(file)).size;
  return total;
}

export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  const path = join(dir, MODEL_MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
}

/** Hashes every file of the folder (except the manifest) and writes the manifest. */
export async function writeManifest(dir: string, name: string, source: ModelManifest['source']): Promise<ModelManifest> {
  const files: ModelManifest['files'] = [];
  for (const file of (await listFilesRecursive(dir)).sort()) {
    const path = relative(dir, file).split('\\').join('/');
    if (path === MODEL_MANIFEST_FILE) continue;
    files.push({ path, size: (await stat(file)).size, sha256: await sha256File(file) });
  }
  const manifest: ModelManifest = { name, source, installedAt: new Date().toISOString(), files };
  await writeFile(join(dir, MODEL_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Every model folder under modelsDir (hidden staging folders skipped), with a reason for unusable ones. */
export async function listInstalledModels(modelsDir: string): Promise<InstalledModel[]> {
  if (!existsSync(modelsDir)) return [];
  const models: InstalledModel[] = [];
  for (const entry of await readdir(modelsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(modelsDir, entry.name);
    let pipelineClass: string | undefined;
    let problem: string | undefined;
    try {
      pipelineClass = (await checkDiffusersOnnxLayout(dir)).pipelineClass;
    } catch (error) {
      problem = (error as Error).message;
    }
    let manifest: ModelManifest | undefined;
    try {
      manifest = await readManifest(dir);
    } catch (error) {
      problem ??= `${MODEL_MANIFEST_FILE} is unreadable: ${(error as Error).message}`;
    }
    models.push({ name: entry.name, dir, pipelineClass, sizeBytes: await folderSize(dir), manifest, problem });
  }
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

/** Re-hashes an installed model against its manifest; returns the list of problems (empty = intact). */
export async function verifyInstalledModel(dir: string): Promise<string[]> {
  const manifest = await readManifest(dir);
  if (!manifest) return [`${dir} has no ${MODEL_MANIFEST_FILE}`];
  const problems: string[] = [];
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) {
      problems.push(`${file.path}: missing`);
      continue;
    }
    const actual = await sha256File(path);
    if (actual !== file.sha256) problems.push(`${file.path}: sha256 ${actual}, expected ${file.sha256}`);
  }
  return problems;
}

/**
 * Copies a local diffusers ONNX export into modelsDir/<name> after validating its layout. The copy goes to a
 * hidden staging folder first so a failed or interrupted import never leaves a half model in the list.
 */
export async function importModelFolder(source: string, modelsDir: string, options: { name?: string } = {}): Promise<InstalledModel> {
  const sourceDir = resolve(source);
  const layout = await checkDiffusersOnnxLayout(sourceDir);
  const name = validateModelName(options.name ?? basename(sourceDir));
  const target = join(modelsDir, name);
  if (existsSync(target)) throw new Error(`a model named ${name} is already installed at ${target}`);
  await mkdir(modelsDir, { recursive: true });
  const staging = join(modelsDir, `.importing-${name}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await cp(sourceDir, staging, { recursive: true, filter: (path) => basename(path) !== MODEL_MANIFEST_FILE });
    await writeManifest(staging, name, { kind: 'import', path: sourceDir });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return {
    name,
    dir: target,
    pipelineClass: layout.pipelineClass,
    sizeBytes: await folderSize(target),
    manifest: await readManifest(target),
    problem: undefined,
  };
}

export async function removeModel(modelsDir: string, name: string): Promise<void> {
  const dir = join(modelsDir, validateModelName(name));
  if (!existsSync(dir)) throw new Error(`no model named ${name} in ${modelsDir}`);
  await rm(dir, { recursive: true, force: true });
}
