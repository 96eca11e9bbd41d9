import { existsSync, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, statfs, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join, resolve, sep } from 'node:path';
import { checkDiffusersOnnxLayout, DIFFUSERS_ONNX_FOLDERS } from '../layout';
import { gitBlobSha1File, sha256File } from './hashing';
import { modelNameFromRepoId, readManifest, validateModelName, writeManifest, type InstalledModel } from './model-store';

export const HUGGING_FACE_URL = 'https://huggingface.co';

/** One file of a Hub repo as the tree API reports it. */
export interface RemoteFile {
  path: string;
  size: number;
  /** sha256 for LFS files (the large weights), git blob sha1 otherwise. */
  sha256: string | undefined;
  gitSha1: string | undefined;
}

export interface DownloadProgress {
  file: string;
  fileIndex: number;
  fileCount: number;
  fileBytesDone: number;
  fileBytesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface DownloadOptions {
  /** Hub base URL; tests point this at a local server. Defaults to E2GAN_HF_ENDPOINT / HF_ENDPOINT, then huggingface.co. */
  baseUrl?: string;
  revision?: string;
  name?: string;
  /** Bearer token for gated/private repos (defaults to HF_TOKEN). */
  token?: string;
  /** Which repo files to fetch; defaults to the ONNX pipeline folders and top-level config files. */
  include?: (path: string) => boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Times one file is resumed after a dropped connection before giving up (default 3). */
  retries?: number;
  /** Free bytes on the target disk; injectable for tests. */
  freeDiskBytes?: (dir: string) => Promise<number>;
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const SKIPPED_WEIGHT_FORMATS = /\.(safetensors|bin|ckpt|msgpack|h5|pt|pth|ot)$/i;
const FREE_SPACE_MARGIN = 64 * 1024 * 1024;

export function defaultIncludeFile(path: string): boolean {
  if (SKIPPED_WEIGHT_FORMATS.test(path)) return false;
  const parts = path.split('/');
  if (parts.length === 1) return /\.(json|txt|md)$/i.test(path);
  return DIFFUSERS_ONNX_FOLDERS.includes(parts[0]!);
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** fetch() with the network failures turned into one clear message naming the URL. */
async function fetchOrExplain(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    const code = errorCode(error);
    if (code && NETWORK_ERROR_CODES.has(code)) throw new Error(`cannot reach ${url} (${code}), you are offline?`);
    throw new Error(`request to ${url} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`);
  }
}

function httpError(response: Response, url: string, what: string): Error {
  if (response.status === 401 || response.status === 403) {
    return new Error(`${what}: ${url} answered ${response.status}; the repo is gated or private, set HF_TOKEN to a Hugging Face token with access`);
  }
  if (response.status === 404) return new Error(`${what}: ${url} answered 404 (repo, revision or file not found)`);
  return new Error(`${what}: ${url} answered HTTP ${response.status} ${response.statusText}`);
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function resolveBaseUrl(baseUrl: string | undefined): string {
  return (baseUrl ?? process.env['E2GAN_HF_ENDPOINT'] ?? process.env['HF_ENDPOINT'] ?? HUGGING_FACE_URL).replace(/\/+$/, '');
}

function authHeaders(token: string | undefined): Record<string, string> {
  const value = token ?? process.env['HF_TOKEN'];
  return value ? { authorization: `Bearer ${value}` } : {};
}

/** Lists a Hub repo's files through the tree API, following pagination links. */
export async function listRemoteFiles(repoId: string, options: Pick<DownloadOptions, 'baseUrl' | 'revision' | 'token' | 'signal'> = {}): Promise<RemoteFile[]> {
  if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(repoId)) throw new Error(`invalid Hugging Face repo id ${JSON.stringify(repoId)}: expected "owner/name"`);
  const base = resolveBaseUrl(options.baseUrl);
  const revision = options.revision ?? 'main';
  let url: string | undefined = `${base}/api/models/${repoId}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const files: RemoteFile[] = [];
  while (url) {
    const response = await fetchOrExplain(url, { headers: authHeaders(options.token), ...(options.signal ? { signal: options.signal } : {}) });
    if (!response.ok) throw httpError(response, url, `listing ${repoId}`);
    const entries = (await response.json()) as unknown;
    if (!Array.isArray(entries)) throw new Error(`listing ${repoId}: ${url} did not return a JSON array`);
    for (const entry of entries as Record<string, unknown>[]) {
      if (entry['type'] !== 'file' || typeof entry['path'] !== 'string') continue;
      const lfs = entry['lfs'] as { oid?: string; size?: number } | undefined;
      const size = typeof lfs?.size === 'number' ? lfs.size : Number(entry['size'] ?? 0);
      files.push({
        path: entry['path'],
        size,
        sha256: lfs?.oid ? lfs.oid.replace(/^sha256:/, '') : undefined,
        gitSha1: !lfs && typeof entry['oid'] === 'string' ? entry['oid'] : undefined,
      });
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '');
    url = next ? new URL(next[1]!, url).href : undefined;
  }
  return files;
}

/**
 * The hub names the files; a malicious or broken hub must not be able to write outside the staging folder.
 * Accepts only relative paths of plain segments joined by '/' (no '..', '.', empty segments, backslashes,
 * drive letters or control characters), and checks the joined path really lies inside `root`.
 */
export function safeRepoFilePath(root: string, repoPath: string): string {
  const segments = repoPath.split('/');
  const unsafe =
    repoPath.length === 0 ||
    repoPath.length > 1024 ||
    repoPath.includes('\\') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the character class names the control characters it rejects
    /[\u0000-\u001f\u007f:]/.test(repoPath) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  const target = resolve(root, ...segments);
  if (unsafe || !target.startsWith(resolve(root) + sep)) {
    throw new Error(`the hub listed an unsafe file path ${JSON.stringify(repoPath)}; refusing to download from this repo`);
  }
  return target;
}

async function existingSize(path: string): Promise<number> {
  return existsSync(path) ? (await stat(path)).size : 0;
}

async function verifyFile(path: string, file: RemoteFile): Promise<void> {
  const size = (await stat(path)).size;
  if (size !== file.size) throw new Error(`${file.path}: downloaded ${size} bytes, expected ${file.size}`);
  if (file.sha256) {
    const actual = await sha256File(path);
    if (actual !== file.sha256)
      throw new Error(`${file.path}: sha256 mismatch (got ${actual}, expected ${file.sha256}); the corrupt download was deleted, run again`);
  } else if (file.gitSha1) {
    const actual = await gitBlobSha1File(path, size);
    if (actual !== file.gitSha1)
      throw new Error(`${file.path}: git blob sha1 mismatch (got ${actual}, expected ${file.gitSha1}); the corrupt download was deleted, run again`);
  }
}

/**
 * Streams one file into `<target>.part`, resuming from the bytes already there with a Range request.
 * Returns when the .part holds the whole file; network drops mid-body surface as errors (the .part stays).
 */
async function downloadToPart(
  url: string,
  partPath: string,
  file: RemoteFile,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  onBytes: (done: number) => void,
): Promise<void> {
  let offset = await existingSize(partPath);
  if (offset > file.size) {
    await truncate(partPath, 0);
    offset = 0;
  }
  if (offset === file.size && file.size > 0) return;
  const requestHeaders: Record<string, string> = { ...headers };
  if (offset > 0) requestHeaders['range'] = `bytes=${offset}-`;
  const response = await fetchOrExplain(url, { headers: requestHeaders, ...(signal ? { signal } : {}) });
  if (response.status === 416 && offset > 0) {
    // The server says nothing is left past our offset: start over rather than trust a part of unknown origin.
    await truncate(partPath, 0);
    return downloadToPart(url, partPath, file, headers, signal, onBytes);
  }
  if (!response.ok) throw httpError(response, url, `downloading ${file.path}`);
  const append = response.status === 206 && offset > 0;
  if (!append) offset = 0;
  onBytes(offset);
  const out = createWriteStream(partPath, { flags: append ? 'a' : 'w' });
  const closed = once(out, 'close');
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        // Never write past the size the listing declared: a hub streaming forever must not fill the disk.
        if (offset + chunk.byteLength > file.size) {
          const room = file.size - offset;
          if (room > 0 && !out.write(chunk.subarray(0, room))) await once(out, 'drain');
          await response.body.cancel().catch(() => undefined);
          throw new OversizedDownloadError(file);
        }
        if (!out.write(chunk)) await once(out, 'drain');
        offset += chunk.byteLength;
        onBytes(offset);
      }
    }
  } finally {
    out.end();
    await closed;
  }
}

class OversizedDownloadError extends Error {
  constructor(file: RemoteFile) {
    super(`${file.path}: the hub sent more than the ${file.size} bytes its listing declared; the download was stopped and deleted`);
  }
}

/**
 * Downloads a diffusers ONNX export from the Hugging Face Hub into modelsDir/<name> (default "owner--name").
 * Files land in a hidden staging folder as .part files, so an interrupted download resumes where it stopped
 * on the next call; each file is verified (LFS sha256 or git blob sha1) before it is renamed into place, and
 * the model appears in modelsDir only once every file is present and the layout checks out.
 */
export async function downloadModel(repoId: string, modelsDir: string, options: DownloadOptions = {}): Promise<InstalledModel> {
  const name = validateModelName(options.name ?? modelNameFromRepoId(repoId));
  const target = join(modelsDir, name);
  if (existsSync(target)) throw new Error(`a model named ${name} is already installed at ${target}`);
  const base = resolveBaseUrl(options.baseUrl);
  const revision = options.revision ?? 'main';
  const headers = authHeaders(options.token);
  const include = options.include ?? defaultIncludeFile;
  const files = (await listRemoteFiles(repoId, { ...options, baseUrl: base, revision })).filter((f) => include(f.path));
  if (files.length === 0) throw new Error(`${repoId}@${revision} has no files to download (is it a diffusers ONNX export?)`);

  const staging = join(modelsDir, `.downloading-${name}`);
  // Checked before anything is created, so a bad listing leaves no trace on disk.
  const localPaths = new Map(files.map((file) => [file, safeRepoFilePath(staging, file.path)]));
  await mkdir(staging, { recursive: true });
  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
  let bytesPresent = 0;
  for (const file of files) {
    const finalPath = localPaths.get(file)!;
    bytesPresent += existsSync(finalPath) ? file.size : Math.min(await existingSize(`${finalPath}.part`), file.size);
  }
  const free = await (options.freeDiskBytes ?? freeDiskBytes)(staging);
  const needed = bytesTotal - bytesPresent;
  if (needed + FREE_SPACE_MARGIN > free) {
    throw new Error(`not enough disk space in ${modelsDir}: ${repoId} needs ${formatBytes(needed)} more, ${formatBytes(free)} free`);
  }

  let bytesBeforeFile = 0;
  for (const [fileIndex, file] of files.entries()) {
    options.signal?.throwIfAborted();
    const finalPath = localPaths.get(file)!;
    const partPath = `${finalPath}.part`;
    const report = (fileBytesDone: number): void =>
      options.onProgress?.({
        file: file.path,
        fileIndex,
        fileCount: files.length,
        fileBytesDone,
        fileBytesTotal: file.size,
        bytesDone: bytesBeforeFile + fileBytesDone,
        bytesTotal,
      });
    if (!existsSync(finalPath)) {
      await mkdir(dirname(finalPath), { recursive: true });
      const url = `${base}/${repoId}/resolve/${encodeURIComponent(revision)}/${encodePath(file.path)}`;
      const retries = options.retries ?? 3;
      for (let attempt = 0; ; attempt++) {
        try {
          await downloadToPart(url, partPath, file, headers, options.signal, report);
          break;
        } catch (error) {
          if (error instanceof OversizedDownloadError) {
            await rm(partPath, { force: true });
            throw error;
          }
          const code = errorCode(error);
          const dropped = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || (error as Error).message === 'terminated';
          if (!dropped || attempt >= retries) {
            if (dropped)
              throw new Error(`downloading ${file.path} from ${url} was interrupted (${code ?? 'connection closed'}); run the download again to resume`);
            throw error;
          }
        }
      }
      try {
        await verifyFile(partPath, file);
      } catch (error) {
        await rm(partPath, { force: true });
        throw error;
      }
      await rename(partPath, finalPath);
    }
    report(file.size);
    bytesBeforeFile += file.size;
  }

  await checkDiffusersOnnxLayout(staging);
  await writeManifest(staging, name, { kind: 'huggingface', repoId, revision, baseUrl: base });
  await rename(staging, target);
  const layout = await checkDiffusersOnnxLayout(target);
  return { name, dir: target, pipelineClass: layout.pipelineClass, sizeBytes: bytesTotal, manifest: await readManifest(target), problem: undefined };
}

export async function freeDiskBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
