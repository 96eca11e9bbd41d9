import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  importModelFolder,
  listInstalledModels,
  removeModel,
  validateModelName,
  verifyInstalledModel,
  type InstalledModel,
} from '../../native-models/diffusion/models/model-store';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { planDownload, type DownloadPlan } from '../jobs/hf-cache';
import type { HubTokenStatus, HubTokenStore } from './hub-token';
import type { JobsService } from './jobs-service';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { DiffusionModelInfo, DiffusionModelKind, ModelVerification } from '../domain/model-types';
import type { Job, ServiceEvents } from '../domain/types';

export interface ModelsService {
  list(): Promise<DiffusionModelInfo[]>;
  /** What a download would fetch, before it starts: files, sizes, what the Hugging Face cache already holds. */
  plan(input: { repoId: string; revision?: string; name?: string }): Promise<DownloadPlan>;
  /** Whether a Hugging Face token is stored (never the token itself). */
  tokenStatus(): HubTokenStatus;
  /** Stores the token encrypted; refused where this back end cannot encrypt (browser mode). */
  setToken(input: { token: string }): HubTokenStatus;
  clearToken(): HubTokenStatus;
  /** Re-hashes every file of an installed model against the manifest written at install. */
  verify(input: { name: string }): Promise<ModelVerification>;
  /** Copies a local diffusers ONNX export in after checking its layout (the error names the missing file). */
  importFolder(input: { path: string; name?: string }): Promise<DiffusionModelInfo>;
  /** Queues a download of a Hugging Face repo; cancellable, and resuming continues from the partial files. */
  download(input: { repoId: string; revision?: string; name?: string }): Job<'download-model'>;
  /** Refused while a pair generation that uses the model is queued or running. */
  remove(input: { name: string }): Promise<void>;
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
          cacheDir: hfCacheDir,
          modelsDir,
          ...(hubUrl ? { baseUrl: hubUrl } : {}),
          ...(revision ? { revision } : {}),
          ...(name ? { name } : {}),
          ...(hfToken ? { token: hfToken } : {}),
        });
      } catch (error) {
        throw new InvalidInputError(`cannot list ${repoId}: ${(error as Error).message}`);
      }
    },
    tokenStatus: () => token.status(),
    setToken: ({ token: value }) => token.set(value),
    clearToken: () => token.clear(),
    async verify({ name }) {
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
        repoId,
        modelsDir,
        hfCacheDir,
        ...(hubUrl ? { baseUrl: hubUrl } : {}),
        ...(revision ? { revision } : {}),
        ...(name ? { name } : {}),
      });
    },
    async remove({ name }) {
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
