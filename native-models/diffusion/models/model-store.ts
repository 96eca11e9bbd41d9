import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
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

/** Every entry under dir that is neither a plain file nor a folder (symlinks, sockets, devices), relative. */
async function listOddEntries(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listOddEntries(path, base)));
    else if (!entry.isFile()) out.push(relative(base, path).split('\\').join('/'));
  }
  return out;
}

/**
 * Checks what an import would copy: every symlink must lead to a file or folder that exists, and no folder may
 * be reached twice (a link loop would copy forever). Links are then copied as their targets, so the installed
 * model holds only plain files, each hashed into the manifest.
 */
async function checkLinksResolve(dir: string, base = dir, visited = new Set<string>()): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) throw new Error(`${relative(base, dir) || '.'}: symlink loop (this folder is reached twice)`);
  visited.add(real);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const shown = relative(base, path).split('\\').join('/');
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : await lstat(path);
    if (!info) throw new Error(`${shown}: symlink to a missing file; fix or remove it before importing`);
    if (info.isDirectory()) await checkLinksResolve(path, base, visited);
    else if (!info.isFile()) throw new Error(`${shown}: not a regular file`);
  }
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
  const odd = await listOddEntries(dir);
  if (odd.length > 0) throw new Error(`${odd[0]}: installed models hold only plain files, not symlinks or special files`);
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
  const odd = new Set(await listOddEntries(dir));
  for (const entry of odd) problems.push(`${entry}: is a symlink or special file; installed models hold only plain files`);
  const listed = new Set(manifest.files.map((file) => file.path));
  for (const file of manifest.files) {
    if (odd.has(file.path)) continue;
    const path = join(dir, file.path);
    if (!existsSync(path)) {
      problems.push(`${file.path}: missing`);
      continue;
    }
    const actual = await sha256File(path);
    if (actual !== file.sha256) problems.push(`${file.path}: sha256 ${actual}, expected ${file.sha256}`);
  }
  for (const file of await listFilesRecursive(dir)) {
    const path = relative(dir, file).split('\\').join('/');
    if (path !== MODEL_MANIFEST_FILE && !listed.has(path)) problems.push(`${path}: not in the manifest (added after install)`);
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
  await checkLinksResolve(sourceDir);
  const name = validateModelName(options.name ?? basename(sourceDir));
  const target = join(modelsDir, name);
  if (existsSync(target)) throw new Error(`a model named ${name} is already installed at ${target}`);
  await mkdir(modelsDir, { recursive: true });
  const staging = join(modelsDir, `.importing-${name}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await cp(sourceDir, staging, { recursive: true, dereference: true, filter: (path) => basename(path) !== MODEL_MANIFEST_FILE });
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
