/**
 * Reusing the standard Hugging Face cache (what huggingface_hub, diffusers and transformers download into)
 * before downloading a model, and the download's plan with its sizes, shown before it starts.
 *
 * The cache keeps each file once as blobs/<etag> under models--<org>--<name>/, where the etag of a large (LFS)
 * file is its sha256 and of a small one its git blob sha1: exactly the hashes the Hub's tree API lists. A blob
 * is reused only when its size and hash match the listing, so a stale or corrupt cache is downloaded over.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { defaultIncludeFile, freeDiskBytes, listRemoteFiles, safeRepoFilePath, type RemoteFile } from '../../native-models/diffusion/models/hf-download';
import { gitBlobSha1File, sha256File } from '../../native-models/diffusion/models/hashing';
import { modelNameFromRepoId, validateModelName } from '../../native-models/diffusion/models/model-store';

/** huggingface_hub's rule: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
export function huggingFaceCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env['HF_HUB_CACHE']) return path.resolve(env['HF_HUB_CACHE']);
  if (env['HF_HOME']) return path.resolve(env['HF_HOME'], 'hub');
  return path.join(home, '.cache', 'huggingface', 'hub');
}

/** Where the cache keeps a repo's blobs. */
export function cachedRepoBlobsDir(cacheDir: string, repoId: string): string {
  return path.join(cacheDir, `models--${repoId.replace(/\//g, '--')}`, 'blobs');
}

/** A cached copy of `file` whose size matches its listing (the hash is checked before it is used), or null. */
export async function findCachedBlob(cacheDir: string, repoId: string, file: RemoteFile): Promise<string | null> {
  const etag = file.sha256 ?? file.gitSha1;
  if (!etag || !/^[0-9a-f]{40,64}$/.test(etag)) return null;
  const blob = path.join(cachedRepoBlobsDir(cacheDir, repoId), etag);
  try {
    return (await stat(blob)).size === file.size ? blob : null;
  } catch {
    return null;
  }
}

async function hashMatches(blob: string, file: RemoteFile): Promise<boolean> {
  if (file.sha256) return (await sha256File(blob)) === file.sha256;
  if (file.gitSha1) return (await gitBlobSha1File(blob, file.size)) === file.gitSha1;
  return false;
}

/**
 * The staging folder downloadModel fills and resumes from (native-models' hf-download names it so): a file
 * already there in full is not downloaded again.
 */
export function downloadStagingDir(modelsDir: string, name: string): string {
  return path.join(modelsDir, `.downloading-${name}`);
}

export interface CacheReuse {
  files: number;
  bytes: number;
}

/**
 * Puts every verified cached file of the download into its staging folder (a hard link when the cache is on
 * the same disk, a copy otherwise), so the download fetches only the rest.
 */
export async function seedFromCache(
  cacheDir: string,
  repoId: string,
  files: readonly RemoteFile[],
  stagingDir: string,
  signal?: AbortSignal,
): Promise<CacheReuse> {
  const reused: CacheReuse = { files: 0, bytes: 0 };
  for (const file of files) {
    signal?.throwIfAborted();
    const target = safeRepoFilePath(stagingDir, file.path);
    if (existsSync(target)) continue;
    const blob = await findCachedBlob(cacheDir, repoId, file);
    if (!blob || !(await hashMatches(blob, file))) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await link(blob, target).catch(() => copyFile(blob, target));
    reused.files += 1;
    reused.bytes += file.size;
  }
  return reused;
}

export interface DownloadPlan {
  repoId: string;
  revision: string;
  /** The name the model will have in the models folder. */
  name: string;
  files: { path: string; bytes: number; inCache: boolean }[];
  totalBytes: number;
  /** Found in the Hugging Face cache with the listed size (their hash is checked when they are reused). */
  cachedBytes: number;
  /** Left to download: not in the cache and not already fetched by an earlier, interrupted download. */
  downloadBytes: number;
  /** Free space where the model goes. */
  freeBytes: number;
  cacheDir: string;
}

export interface PlanOptions {
  baseUrl?: string;
  revision?: string;
  name?: string;
  token?: string;
  cacheDir: string;
  modelsDir: string;
}

/** What a download would fetch, before it starts: the files, their sizes and what the cache already has. */
export async function planDownload(repoId: string, options: PlanOptions): Promise<DownloadPlan> {
  const revision = options.revision ?? 'main';
  const name = validateModelName(options.name ?? modelNameFromRepoId(repoId));
  const listed = await listRemoteFiles(repoId, {
    revision,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.token ? { token: options.token } : {}),
  });
  const wanted = listed.filter((file) => defaultIncludeFile(file.path));
  if (wanted.length === 0) throw new Error(`${repoId}@${revision} has no files to download (is it a diffusers ONNX export?)`);
  const staging = downloadStagingDir(options.modelsDir, name);
  const files: DownloadPlan['files'] = [];
  let cachedBytes = 0;
  let downloadBytes = 0;
  for (const file of wanted) {
    const inCache = (await findCachedBlob(options.cacheDir, repoId, file)) !== null;
    const staged = existsSync(safeRepoFilePath(staging, file.path));
    files.push({ path: file.path, bytes: file.size, inCache });
    if (inCache) cachedBytes += file.size;
    else if (!staged) downloadBytes += file.size;
  }
  await mkdir(options.modelsDir, { recursive: true });
  return {
    repoId,
    revision,
    name,
    files,
    cachedBytes,
    downloadBytes,
    cacheDir: options.cacheDir,
    totalBytes: wanted.reduce((sum, file) => sum + file.size, 0),
    freeBytes: await freeDiskBytes(options.modelsDir),
  };
}
