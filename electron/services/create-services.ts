import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { JobHost } from '../jobs/job-host';
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner';
import { WorkerThreadJobHost } from '../jobs/worker-thread-host';
import { collectGarbage } from '../store/garbage-collect';
import { openStore } from '../store/store';
import type { Clock } from '../store/repositories/clock';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import type { JobsService } from './jobs-service';
import type { ConceptsService, ImagesService, ImportsService, ProjectsService, Services, StorageService } from './services';
import { listSamplePhotos } from './sample-photos';
import { TypedEmitter } from '../domain/typed-emitter';
import { createExportsService } from './exports-service';
import { createShareService } from './share-service';
import { createFlowService } from './flow-service';
import { createModelsService } from './models-service';
import { huggingFaceCacheDir } from '../jobs/hf-cache';
import { HubTokenStore, type SecretCipher } from './hub-token';
import type { ImportFile, ServiceEvents } from '../domain/types';

export interface CreateServicesOptions {
  dataDir: string;
  /** Where jobs execute; defaults to a worker thread per job. SHELL passes a utility-process host in the app. */
  jobHost?: JobHost;
  jobRunner?: JobRunnerOptions;
  /** Installed diffusion models (listed as teachers); default <dataDir>/models like `e2gan models`. */
  modelsDir?: string;
  /** Hugging Face Hub base URL for model downloads; tests point it at a local server. */
  hubUrl?: string;
  /** Encrypts the stored Hugging Face token (Electron's safeStorage in the app); without one none is stored. */
  secretCipher?: SecretCipher;
  /** The Hugging Face cache reused before downloads; default HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub. */
  hfCacheDir?: string;
  /** Where a phone reaches this machine (default: the first LAN IPv4 address); tests pass () => '127.0.0.1'. */
  lanAddress?: () => string | undefined;
  clock?: Clock;
}

const MAX_NAME_LENGTH = 200;

export function createServices(options: CreateServicesOptions): Services {
  const dataDir = path.resolve(options.dataDir);
  const store = openStore(dataDir, options.clock);
  mkdirSync(store.layout.staging, { recursive: true });
  const events = new TypedEmitter<ServiceEvents>();
  const hubToken = new HubTokenStore(dataDir, options.secretCipher ?? null);
  const runner = new JobRunner(store, options.jobHost ?? new WorkerThreadJobHost(), events, {
    // A download reads the stored token when it starts (also when resumed after a restart); nothing else gets it.
    secretsFor: (job) => {
      const hfToken = job.kind === 'download-model' ? hubToken.read() : undefined;
      return hfToken ? { hfToken } : undefined;
    },
    ...options.jobRunner,
  });
  store.blobs.sweepTemporaryFiles();
  runner.recoverInterrupted();
  runner.pump();

  const requireProject = (id: number) => {
    const project = store.projects.get(id);
    if (!project) throw new NotFoundError('project', id);
    return project;
  };
  const requireImage = (id: number) => {
    const image = store.images.get(id);
    if (!image) throw new NotFoundError('image', id);
    return image;
  };

  const projects: ProjectsService = {
    list: () => store.projects.list(),
    get: ({ projectId }) => requireProject(projectId),
    create({ name }) {
      const project = store.projects.create(cleanName(name, 'project name'));
      events.emit('projectsChanged', { projectId: project.id });
      return project;
    },
    rename({ projectId: id, name }) {
      if (!store.projects.rename(id, cleanName(name, 'project name'))) throw new NotFoundError('project', id);
      events.emit('projectsChanged', { projectId: id });
      return requireProject(id);
    },
    delete({ projectId: id }) {
      requireProject(id);
      const busy = store.jobs.list({ projectId: id, states: ['queued', 'running'] });
      if (busy.length > 0) {
        throw new ConflictError(`project ${id} has ${busy.length} queued or running job(s); cancel them first`);
      }
      store.projects.delete(id);
      events.emit('projectsChanged', { projectId: id });
    },
  };

  const concepts: ConceptsService = {
    list({ projectId }) {
      requireProject(projectId);
      return store.concepts.listByProject(projectId);
    },
    create({ projectId, ...input }) {
      requireProject(projectId);
      const name = cleanName(input.name, 'concept name');
      if (store.concepts.findByName(projectId, name)) {
        throw new ConflictError(`project ${projectId} already has a concept named '${name}'`);
      }
      const concept = store.concepts.create(projectId, {
        name,
        prompt: cleanText(input.prompt, 'prompt'),
        teacher: cleanText(input.teacher, 'teacher'),
      });
      store.projects.touch(projectId);
      events.emit('conceptsChanged', { projectId });
      events.emit('projectsChanged', { projectId });
      return concept;
    },
    update({ conceptId: id, ...input }) {
      const current = store.concepts.get(id);
      if (!current) throw new NotFoundError('concept', id);
      const name = input.name === undefined ? current.name : cleanName(input.name, 'concept name');
      const clash = store.concepts.findByName(current.projectId, name);
      if (clash && clash.id !== id) {
        throw new ConflictError(`project ${current.projectId} already has a concept named '${name}'`);
      }
      store.concepts.update(id, {
        name,
        prompt: input.prompt === undefined ? current.prompt : cleanText(input.prompt, 'prompt'),
        teacher: input.teacher === undefined ? current.teacher : cleanText(input.teacher, 'teacher'),
      });
      events.emit('conceptsChanged', { projectId: current.projectId });
      return store.concepts.get(id)!;
    },
    delete({ conceptId: id }) {
      const current = store.concepts.get(id);
      if (!current) throw new NotFoundError('concept', id);
      store.concepts.delete(id);
      events.emit('conceptsChanged', { projectId: current.projectId });
      events.emit('projectsChanged', { projectId: current.projectId });
    },
  };

  const images: ImagesService = {
    list({ projectId }) {
      requireProject(projectId);
      return store.images.listByProject(projectId);
    },
    get: ({ imageId }) => requireImage(imageId),
    delete({ imageId }) {
      // The blobs stay: another project may share them. A later garbage collection removes unreferenced blobs.
      const image = requireImage(imageId);
      store.images.delete(imageId);
      events.emit('imagesChanged', { projectId: image.projectId });
      events.emit('projectsChanged', { projectId: image.projectId });
    },
    async readThumbnail({ imageId }) {
      const image = requireImage(imageId);
      return { bytes: await store.blobs.read(image.thumbnailSha256), mimeType: 'image/webp' };
    },
    async readOriginal({ imageId }) {
      const image = requireImage(imageId);
      return { bytes: await store.blobs.read(image.sha256), mimeType: `image/${image.format}` };
    },
    blobPath: (sha256) => store.blobs.pathFor(sha256),
  };

  const jobs: JobsService = {
    // runner.describe: a finished job whose outcome waits for disk space says "disk full", not its last progress.
    list: (filter = {}) => store.jobs.list(filter).map((job) => runner.describe(job)),
    get({ jobId }) {
      const job = store.jobs.get(jobId);
      if (!job) throw new NotFoundError('job', jobId);
      return runner.describe(job);
    },
    enqueue(kind, projectId, payload) {
      if (projectId !== null) requireProject(projectId);
      return runner.enqueue(kind, projectId, payload);
    },
    cancel: ({ jobId }) => runner.cancel(jobId),
    resume: ({ jobId }) => runner.resume(jobId),
    discard: ({ jobId }) => runner.discard(jobId),
    waitFor: (id) => runner.waitFor(id),
  };

  const startImport = (projectId: number, files: ImportFile[]) => {
    requireProject(projectId);
    return runner.enqueue('import-images', projectId, { projectId, files: checkImportFiles(files) });
  };
  const imports: ImportsService = {
    start: ({ projectId, sources }) => startImport(projectId, sources),
    samples: async ({ projectId }) => startImport(projectId, await listSamplePhotos()),
  };

  const storage: StorageService = {
    usage() {
      const blobs = store.blobs.listBlobs();
      return { blobCount: blobs.length, bytes: blobs.reduce((sum, blob) => sum + blob.bytes, 0) };
    },
    collectGarbage: (gcOptions) => collectGarbage(store, gcOptions),
  };

  let share: ReturnType<typeof createShareService> | undefined;
  const exports = createExportsService({ store, jobs, events, sharedExportId: () => share?.sharedExportId() ?? null });
  share = createShareService({
    dataDir, events, getExport: (exportId) => exports.get({ exportId }), ...(options.lanAddress ? { lanAddress: options.lanAddress } : {}),
  });

  const modelsDir = options.modelsDir ?? path.join(dataDir, 'models');
  const flow = createFlowService({ store, jobs, events, modelsDir });
  const models = createModelsService({
    jobs, events, modelsDir, token: hubToken, hfCacheDir: options.hfCacheDir ?? huggingFaceCacheDir(), ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
  });

  let closing: Promise<void> | undefined;
  return {
    dataDir,
    layout: store.layout,
    events,
    projects,
    concepts,
    images,
    imports,
    jobs,
    storage,
    exports,
    share,
    flow,
    models,
    close() {
      closing ??= Promise.all([runner.close(), share.stop()]).then(() => store.close());
      return closing;
    },
  };
}

function cleanName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${field}: expected a string, got ${typeof value}`);
  const name = value.trim();
  if (name.length === 0) throw new InvalidInputError(`${field}: must not be empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`${field}: at most ${MAX_NAME_LENGTH} characters, got ${name.length}`);
  }
  return name;
}

function cleanText(value: unknown, field: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new InvalidInputError(`${field}: expected a string, got ${typeof value}`);
  return value.trim();
}

function checkImportFiles(files: ImportFile[]): ImportFile[] {
  if (!Array.isArray(files) || files.length === 0) throw new InvalidInputError('files: expected at least one path');
  return files.map((file, index) => {
    if (typeof file?.path !== 'string' || file.path.length === 0) {
      throw new InvalidInputError(`files[${index}].path: expected a non-empty string`);
    }
    if (!path.isAbsolute(file.path)) {
      throw new InvalidInputError(`files[${index}].path: expected an absolute path, got '${file.path}'`);
    }
    if (file.name !== undefined && typeof file.name !== 'string') {
      throw new InvalidInputError(`files[${index}].name: expected a string, got ${typeof file.name}`);
    }
    return file.name === undefined ? { path: file.path } : { path: file.path, name: file.name };
  });
}
