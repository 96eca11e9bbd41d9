/**
 * Binds the contract to the back-end services. The services implement the contract's groups as they are (each
 * method takes the contract's one input object), so the handler table is a plain map, like VS Code's
 * ProxyChannel serving a service object; events are forwarded by name (service event `x` is API event `onX`).
 * Used by the Electron main process and by browser mode alike; imports no Electron.
 */
import type { Services } from '../services/services';
import { ConflictError } from '../domain/errors';
import type { ServiceEvents } from '../domain/types';
import { eventNames, type ApiEventName, type ApiHandlers, type AppInfo, type EventPayload, type Unsubscribe } from './contract';

export type AppInfoSource = () => AppInfo;

/** What only the desktop app can do; browser mode has none of it. */
export interface DesktopFeatures {
  /** The OS folder picker; resolves null when the user closes it. */
  pickFolder(title: string): Promise<string | null>;
}

export function createApiHandlers(services: Services, appInfo: AppInfoSource, desktop?: DesktopFeatures): ApiHandlers {
  return {
    app: appGroup(appInfo, desktop),
    projects: services.projects,
    concepts: services.concepts,
    images: services.images,
    imports: services.imports,
    jobs: services.jobs,
    exports: services.exports,
    teachers: services.teachers,
    models: services.models,
    pairs: services.pairs,
    subset: services.subset,
    training: services.training,
    liveModel: services.liveModel,
    share: services.share,
  };
}

/** The API's own group: what the host is, and what only the desktop app can do. */
function appGroup(appInfo: AppInfoSource, desktop: DesktopFeatures | undefined): ApiHandlers['app'] {
  return {
    info: appInfo,
    async pickFolder({ title }) {
      if (!desktop) throw new ConflictError('the folder picker needs the desktop app; type the folder path instead');
      return { path: await desktop.pickFolder(title) };
    },
  };
}

/** The service event behind an API event: onJobProgress <- jobProgress. */
type ServiceEventOf<E extends ApiEventName> = E extends `on${infer Name}` ? Uncapitalize<Name> : never;

/** Fails to compile when an API event has no service event of the same name, or their payloads differ. */
type EveryEventForwarded = {
  [E in ApiEventName]: ServiceEventOf<E> extends keyof ServiceEvents ? (ServiceEvents[ServiceEventOf<E>] extends EventPayload<E> ? true : false) : false;
};
const everyEventForwarded: EveryEventForwarded[ApiEventName] = true;
void everyEventForwarded;

export function serviceEventOf<E extends ApiEventName>(name: E): ServiceEventOf<E> {
  return (name.charAt(2).toLowerCase() + name.slice(3)) as ServiceEventOf<E>;
}

export type ApiEventSink = <E extends ApiEventName>(name: E, payload: EventPayload<E>) => void;

/** Forwards the services' events as the contract's onX events; returns a function that stops forwarding. */
export function forwardServiceEvents(events: Services['events'], emit: ApiEventSink): Unsubscribe {
  const forward = <E extends ApiEventName>(name: E) => events.on(serviceEventOf(name), (payload) => emit(name, payload as EventPayload<E>));
  const stops = eventNames.map(forward);
  return () => stops.forEach((stop) => stop());
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
