/**
 * The one function the renderer calls to reach the back end. In Electron the preload has exposed
 * `window.studio`; in browser mode the page was opened as http://127.0.0.1:PORT/?token=… and talks WebSocket.
 * Browser-safe.
 */
import { toStudioApiError } from './client';
import { methodEntries, type StudioApi } from './contract';
import { createWsStudioApi } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in browser mode. */
    studio?: StudioApi;
  }
}

let cached: StudioApi | undefined;

export function getStudioApi(): StudioApi {
  cached ??= window.studio ? withTypedErrors(window.studio) : createBrowserModeApi();
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
 * contextBridge copies what the preload rejects with as plain data; turn it back into StudioApiError so both
 * modes reject alike.
 */
function withTypedErrors(bridged: StudioApi): StudioApi {
  const groups: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const entry of methodEntries) {
    const bridgedGroup = bridged[entry.group] as unknown as Record<string, (input?: unknown) => Promise<unknown>>;
    (groups[entry.group] ??= {})[entry.key] = async (input?: unknown) => {
      try {
        return await bridgedGroup[entry.key]!(input);
      } catch (error) {
        throw toStudioApiError(entry.name, error);
      }
    };
  }
  return {
    ...(groups as unknown as Pick<StudioApi, keyof typeof groups & keyof StudioApi>),
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
  } as StudioApi;
}
