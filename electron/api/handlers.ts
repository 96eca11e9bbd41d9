/**
 * Binds the contract to the back-end services: one thin handler per method (inputs are already validated by
 * the dispatcher) and one mapping from service events to API events. Used by the Electron main process and
 * by browser mode alike; imports no Electron.
 */
import type { Services } from '../services/services';
import { ConflictError } from '../domain/errors';
import { listSamplePhotos } from '../services/sample-photos';
import type { ServiceEvents } from '../domain/types';
import type { ApiEventName, ApiHandlers, AppInfo, EventPayload, Unsubscribe } from './contract';

export type AppInfoSource = () => AppInfo;

/** What only the desktop app can do; browser mode has none of it. */
export interface DesktopFeatures {
  /** The OS folder picker; resolves null when the user closes it. */
  pickFolder(title: string): Promise<string | null>;
}

export function createApiHandlers(services: Services, appInfo: AppInfoSource, desktop?: DesktopFeatures): ApiHandlers {
  return {
    app: {
      info: () => appInfo(),
      pickFolder: async ({ title }) => {
        if (!desktop) throw new ConflictError('the folder picker needs the desktop app; type the folder path instead');
        return { path: await desktop.pickFolder(title) };
      },
    },
    projects: {
      list: () => services.projects.list(),
      get: ({ projectId }) => services.projects.get(projectId),
      create: ({ name }) => services.projects.create(name),
      rename: ({ projectId, name }) => services.projects.rename(projectId, name),
      delete: ({ projectId }) => services.projects.delete(projectId),
    },
    concepts: {
      list: ({ projectId }) => services.concepts.list(projectId),
      create: ({ projectId, ...fields }) => services.concepts.create(projectId, fields),
      update: ({ conceptId, ...fields }) => services.concepts.update(conceptId, withoutUndefined(fields)),
    },
    images: {
      list: ({ projectId }) => services.images.list(projectId),
    },
    imports: {
      start: ({ projectId, sources }) => services.jobs.startImport(projectId, sources),
      samples: async ({ projectId }) => services.jobs.startImport(projectId, await listSamplePhotos()),
    },
    jobs: {
      list: (filter) => services.jobs.list(filter ?? {}),
      get: ({ jobId }) => services.jobs.get(jobId),
      cancel: ({ jobId }) => services.jobs.cancel(jobId),
      resume: ({ jobId }) => services.jobs.resume(jobId),
      discard: ({ jobId }) => services.jobs.discard(jobId),
    },
    exports: {
      start: (input) => services.exports.start(withoutUndefined(input) as typeof input),
      list: (filter) => services.exports.list(withoutUndefined(filter) as typeof filter),
      delete: ({ exportId }) => services.exports.delete(exportId),
    },
    teachers: {
      list: () => services.flow.teachers.list(),
      gallery: ({ imageId }) => services.flow.teachers.gallery(imageId),
    },
    models: {
      list: () => services.models.list(),
      verify: ({ name }) => services.models.verify(name),
      importFolder: (input) => services.models.importFolder(withoutUndefined(input) as typeof input),
      download: (input) => services.models.download(withoutUndefined(input) as typeof input),
      remove: ({ name }) => services.models.remove(name),
      plan: (input) => services.models.plan(withoutUndefined(input) as typeof input),
      tokenStatus: () => services.models.tokenStatus(),
      setToken: ({ token }) => services.models.setToken(token),
      clearToken: () => services.models.clearToken(),
    },
    pairs: {
      generate: ({ diffusion, ...input }) =>
        services.flow.pairs.generate({ ...(withoutUndefined(input) as typeof input), ...(diffusion ? { diffusion: withoutUndefined(diffusion) } : {}) }),
      list: ({ conceptId }) => services.flow.pairs.list(conceptId),
      setStatus: ({ pairId, status }) => services.flow.pairs.setStatus(pairId, status),
      setStatusAll: (input) => services.flow.pairs.setStatusAll(withoutUndefined(input) as typeof input),
      cancelItem: (input) => services.flow.pairs.cancelItem(input),
      regenerate: (input) => services.flow.pairs.regenerate(withoutUndefined(input) as typeof input),
      importPaired: ({ conceptId, sources }) =>
        services.flow.pairs.importPaired(conceptId, sources.map((source) => withoutUndefined(source) as typeof source)),
    },
    subset: {
      select: ({ conceptId, targetCount }) => services.flow.subset.select(conceptId, targetCount),
    },
    training: {
      start: (input) => services.flow.training.start(withoutUndefined(input) as typeof input),
      plan: (input) => services.flow.training.plan(withoutUndefined(input) as typeof input),
      pause: ({ runId }) => services.flow.training.pause(runId),
      resume: ({ runId }) => services.flow.training.resume(runId),
      cancel: ({ runId }) => services.flow.training.cancel(runId),
      extend: ({ runId, steps }) => services.flow.training.extend(runId, steps),
      list: (filter) => services.flow.training.list(withoutUndefined(filter) as typeof filter),
      get: ({ runId }) => services.flow.training.get(runId),
    },
    liveModel: {
      get: ({ runId }) => services.flow.liveModel.get(runId),
    },
    share: {
      start: ({ exportId, host }) => services.share.start(exportId, host !== undefined ? { host } : {}),
      addresses: () => services.share.addresses(),
      stop: () => services.share.stop(),
      state: () => services.share.state(),
    },
  };
}

/** A job in one of these states will not change again until a user acts on it. */
const STOPPED_STATES = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export type ApiEventSink = <E extends ApiEventName>(name: E, payload: EventPayload<E>) => void;

/** Forwards the services' events as the contract's onX events; returns a function that stops forwarding. */
export function forwardServiceEvents(events: Services['events'], emit: ApiEventSink): Unsubscribe {
  const forward = <K extends keyof ServiceEvents>(name: K, handle: (payload: ServiceEvents[K]) => void) =>
    events.on(name, handle);
  const stops = [
    forward('jobProgress', (payload) => emit('onJobProgress', payload)),
    forward('jobChanged', ({ job }) => {
      emit('onJobChanged', { job });
      if (STOPPED_STATES.has(job.state)) emit('onJobFinished', { job });
    }),
    forward('projectsChanged', (payload) => emit('onProjectsChanged', payload)),
    forward('conceptsChanged', (payload) => emit('onConceptsChanged', payload)),
    forward('imagesChanged', (payload) => emit('onImagesChanged', payload)),
    forward('exportsChanged', (payload) => emit('onExportsChanged', payload)),
    forward('shareChanged', (payload) => emit('onShareChanged', payload)),
    forward('pairsChanged', (payload) => emit('onPairsChanged', payload)),
    forward('pairItemCancelled', (payload) => emit('onPairItemCancelled', payload)),
    forward('modelsChanged', (payload) => emit('onModelsChanged', payload)),
    forward('trainingProgress', (payload) => emit('onTrainingProgress', payload)),
    forward('trainingChanged', (payload) => emit('onTrainingChanged', payload)),
  ];
  return () => stops.forEach((stop) => stop());
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** App info for a Node or Electron host; `mode` says how renderers reach it. */
export function nodeAppInfo(mode: AppInfo['mode'], version: string, dataDir: string): AppInfoSource {
  return () => ({
    name: 'E2GAN Studio',
    version,
    mode,
    platform: process.platform,
    versions: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
    },
    dataDir,
  });
}
