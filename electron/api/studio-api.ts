/**
 * The one function the renderer calls to reach the back end. In Electron the preload has exposed
 * `window.studio`; in browser mode the page was opened as http://127.0.0.1:PORT/?token=… and talks WebSocket.
 * Browser-safe.
 */
import { buildApiMethods, toStudioApiError } from './client';
import type { ApiMethodName, StudioApi } from './contract';
import type { Envelope } from './dispatch';
import type { MethodGroups } from './method-groups';
import { createWsStudioApi } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in browser mode. */
    studio?: StudioApi;
  }
}

let cached: StudioApi | undefined;

export function getStudioApi(): StudioApi {
  cached ??= window.studio ? createElectronModeApi(window.studio) : createBrowserModeApi();
  return cached;
}

function createBrowserModeApi(): StudioApi {
  const token = new URLSearchParams(window.location.search).get('token');
  if (!token) {
    throw new Error('This page needs the token from the URL that `npm run web` printed (…/?token=…).');
  }
  return createWsStudioApi({ origin: window.location.origin, token });
}

/**
 * contextBridge copies what the preload rejects with as plain data, never as an Error subclass, so the renderer
 * builds its API object from the bridged one with the builder browser mode uses: each call is settled into an
 * envelope, and a rejection comes back as StudioApiError in both modes.
 */
function createElectronModeApi(bridged: StudioApi): StudioApi {
  const bridgedGroups = bridged as unknown as MethodGroups;
  const call = async (method: ApiMethodName, input: unknown): Promise<Envelope> => {
    const [group, key] = method.split('.') as [string, string];
    try {
      return { ok: true, value: await bridgedGroups[group]![key]!(input) };
    } catch (error) {
      return { ok: false, error: toStudioApiError(method, error).data };
    }
  };
  return {
    ...buildApiMethods({ call }),
    mode: bridged.mode,
    events: bridged.events,
    blobUrl: (sha256) => bridged.blobUrl(sha256),
    stageFiles: async (files) => {
      try {
        return await bridged.stageFiles(files);
      } catch (error) {
        throw toStudioApiError('stageFiles', error);
      }
    },
    connection: bridged.connection,
  };
}
