import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { JobHost } from '../jobs/job-host';
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner';
import { WorkerThreadJobHost } from '../jobs/worker-thread-host';
import { openStore } from '../store/store';
import type { Clock } from '../store/repositories/clock';
import { createConceptsService } from './concepts-service';
import { createImagesService } from './images-service';
import { createImportsService } from './imports-service';
import { createJobsService } from './jobs-service';
import { createProjectsService } from './projects-service';
import type { Services } from './services';
import { createStorageService } from './storage-service';
import { TypedEmitter } from '../domain/typed-emitter';
import { createExportsService } from './exports-service';
import { createShareService } from './share-service';
import { createLiveModelService } from './live-model-service';
import { createPairsService } from './pairs-service';
import { createSubsetService } from './subset-service';
import { createTeachersService } from './teachers-service';
import { createTrainingService } from './training-service';
import { createModelsService } from './models-service';
import { huggingFaceCacheDir } from '../jobs/hf-cache';
import { HubTokenStore, type SecretCipher } from './hub-token';
import type { ServiceEvents } from '../domain/types';

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

  const projects = createProjectsService({ store, events });
  const concepts = createConceptsService({ store, events });
  const images = createImagesService({ store, events });
  const jobs = createJobsService({ store, runner });
  const imports = createImportsService({ store, runner });
  const storage = createStorageService({ store });

  let share: ReturnType<typeof createShareService> | undefined;
  const exports = createExportsService({ store, jobs, events, sharedExportId: () => share?.sharedExportId() ?? null });
  share = createShareService({
    dataDir,
    events,
    getExport: (exportId) => exports.get({ exportId }),
    ...(options.lanAddress ? { lanAddress: options.lanAddress } : {}),
  });

  const modelsDir = options.modelsDir ?? path.join(dataDir, 'models');
  const teachers = createTeachersService({ store, modelsDir });
  const pairs = createPairsService({ store, jobs, events, modelsDir });
  const subset = createSubsetService({ store, events });
  const training = createTrainingService({ store, jobs, events });
  const liveModel = createLiveModelService({ store });
  const models = createModelsService({
    jobs,
    events,
    modelsDir,
    token: hubToken,
    hfCacheDir: options.hfCacheDir ?? huggingFaceCacheDir(),
    ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
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
    teachers,
    pairs,
    subset,
    training,
    liveModel,
    models,
    close() {
      closing ??= Promise.all([runner.close(), share.stop()]).then(() => store.close());
      return closing;
    },
  };
}
