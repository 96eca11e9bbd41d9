import { existsSync } from 'node:fs';
import path from 'node:path';
import { importModelFolder, listInstalledModels, removeModel, validateModelName, verifyInstalledModel, type InstalledModel } from '../../native-models/diffusion/models/model-store';
import { ConflictError, InvalidInputError, NotFoundError } from './errors';
import { planDownload, type DownloadPlan } from './hf-cache';
import type { HubTokenStatus, HubTokenStore } from './hub-token';
import type { JobsService } from './services';
import type { TypedEmitter } from './typed-emitter';
import type { Job, ServiceEvents } from './types';

/** Which pipelines make pairs: InstructPix2Pix edits by instruction, plain img2img repaints toward the prompt. */
export type DiffusionModelKind = 'instruct-pix2pix' | 'img2img';

export interface DiffusionModelInfo {
  name: string;
  kind: DiffusionModelKind;
  pipelineClass: string | null;
  sizeBytes: number;
  /** Where it came from: a Hub repo id or a local folder; null for folders copied in by hand. */
  source: string | null;
  /** Why the folder cannot be loaded (names the file); null when its layout is complete. */
  problem: string | null;
}

export interface ModelVerification {
  name: string;
  /** Files missing or whose sha256 differs from the install manifest; empty when intact. */
  problems: string[];
}

export interface DownloadModelPayload {
  repoId: string;
  modelsDir: string;
  /** Hub base URL (tests point it at a local server); unset: E2GAN_HF_ENDPOINT / HF_ENDPOINT, then huggingface.co. */
  baseUrl?: string;
  revision?: string;
  name?: string;
  /** The Hugging Face cache to reuse files from before downloading (HF_HUB_CACHE / HF_HOME / ~/.cache). */
  hfCacheDir?: string;
}

export interface DownloadModelResult {
  /** The installed model's name; null when the download was cancelled (its partial files are kept to resume). */
  name: string | null;
  sizeBytes: number;
  /** Bytes taken from the Hugging Face cache instead of downloaded (absent in results of older jobs). */
  reusedBytes?: number;
}

export interface ModelsService {
  list(): Promise<DiffusionModelInfo[]>;
  /** What a download would fetch, before it starts: files, sizes, what the Hugging Face cache already holds. */
  plan(input: { repoId: string; revision?: string; name?: string }): Promise<DownloadPlan>;
  /** Whether a Hugging Face token is stored (never the token itself). */
  tokenStatus(): HubTokenStatus;
  /** Stores the token encrypted; refused where this back end cannot encrypt (browser mode). */
  setToken(token: string): HubTokenStatus;
  clearToken(): HubTokenStatus;
  /** Re-hashes every file of an installed model against the manifest written at install. */
  verify(name: string): Promise<ModelVerification>;
  /** Copies a local diffusers ONNX export in after checking its layout (the error names the missing file). */
  importFolder(input: { path: string; name?: string }): Promise<DiffusionModelInfo>;
  /** Queues a download of a Hugging Face repo; cancellable, and resuming continues from the partial files. */
  download(input: { repoId: string; revision?: string; name?: string }): Job<'download-model'>;
  /** Refused while a pair generation that uses the model is queued or running. */
  remove(name: string): Promise<void>;
}

export interface ModelsServiceDeps {
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
  modelsDir: string;
  /** Hub base URL for downloads (tests use a local server). */
  hubUrl?: string;
  /** The Hugging Face cache reused before downloading. */
  hfCacheDir: string;
  token: HubTokenStore;
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function modelKind(pipelineClass: string | undefined): DiffusionModelKind {
  return pipelineClass && /InstructPix2Pix/i.test(pipelineClass) ? 'instruct-pix2pix' : 'img2img';
}

function toInfo(model: InstalledModel): DiffusionModelInfo {
  const source = model.manifest?.source;
  return {
    name: model.name,
    kind: modelKind(model.pipelineClass),
    pipelineClass: model.pipelineClass ?? null,
    sizeBytes: model.sizeBytes,
    source: source ? (source.kind === 'huggingface' ? source.repoId : source.path) : null,
    problem: model.problem ?? null,
  };
}

export function createModelsService({ jobs, events, modelsDir, hubUrl, hfCacheDir, token }: ModelsServiceDeps): ModelsService {
  const announce = () => events.emit('modelsChanged', { modelsDir });
  const requireModel = (name: string): string => {
    const dir = path.join(modelsDir, checkedName(name));
    if (!existsSync(dir)) throw new NotFoundError('diffusion model', name);
    return dir;
  };
  const activeJobs = () => jobs.list({ states: ['queued', 'running'] });

  events.on('jobChanged', ({ job }) => {
    if (job.kind === 'download-model' && job.state !== 'queued' && job.state !== 'running') announce();
  });

  return {
    async list() {
      return (await listInstalledModels(modelsDir)).map(toInfo);
    },
    async plan({ repoId, revision, name }) {
      checkRepoId(repoId);
      if (name !== undefined) checkedName(name);
      const hfToken = token.read();
      try {
        return await planDownload(repoId, {
          cacheDir: hfCacheDir, modelsDir, ...(hubUrl ? { baseUrl: hubUrl } : {}), ...(revision ? { revision } : {}),
          ...(name ? { name } : {}), ...(hfToken ? { token: hfToken } : {}),
        });
      } catch (error) {
        throw new InvalidInputError(`cannot list ${repoId}: ${(error as Error).message}`);
      }
    },
    tokenStatus: () => token.status(),
    setToken: (value) => token.set(value),
    clearToken: () => token.clear(),
    async verify(name) {
      return { name, problems: await verifyInstalledModel(requireModel(name)) };
    },
    async importFolder({ path: source, name }) {
      if (!path.isAbsolute(source)) throw new InvalidInputError(`path: expected an absolute folder path, got '${source}'`);
      if (!existsSync(source)) throw new InvalidInputError(`folder ${source} does not exist`);
      let model: InstalledModel;
      try {
        model = await importModelFolder(source, modelsDir, name === undefined ? {} : { name: checkedName(name) });
      } catch (error) {
        throw new InvalidInputError(`cannot import ${source}: ${(error as Error).message}`);
      }
      announce();
      return toInfo(model);
    },
    download({ repoId, revision, name }) {
      checkRepoId(repoId);
      if (name !== undefined) checkedName(name);
      const busy = activeJobs().find((job) => job.kind === 'download-model' && job.payload.repoId === repoId);
      if (busy) throw new ConflictError(`${repoId} is already being downloaded (job ${busy.id})`);
      return jobs.enqueue('download-model', null, {
        repoId, modelsDir, hfCacheDir, ...(hubUrl ? { baseUrl: hubUrl } : {}), ...(revision ? { revision } : {}), ...(name ? { name } : {}),
      });
    },
    async remove(name) {
      const dir = requireModel(name);
      const user = activeJobs().find((job) => job.kind === 'generate-pairs' && job.payload.modelDir === dir);
      if (user) throw new ConflictError(`diffusion model ${name} is in use by pair generation job ${user.id}; cancel it first`);
      await removeModel(modelsDir, name);
      announce();
    },
  };
}

function checkRepoId(repoId: string): void {
  if (!REPO_ID.test(repoId)) throw new InvalidInputError(`repoId: expected a Hugging Face repo id like 'org/model', got '${repoId}'`);
}

function checkedName(name: string): string {
  try {
    return validateModelName(name);
  } catch (error) {
    throw new InvalidInputError((error as Error).message);
  }
}
