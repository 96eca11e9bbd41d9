/**
 * Browser-mode client: the same typed StudioApi as window.studio, over one WebSocket to the browser-mode
 * server (ws-connection.ts) plus HTTP uploads for staging files (file-stager.ts). Browser-safe (no node imports).
 */
import { buildApiEvents, buildApiMethods } from './client';
import type { StudioApi } from './contract';
import { createFileStager } from './file-stager';
import { openWsConnection, type WebSocketFactory, type WebSocketLike } from './ws-connection';
import { BLOB_PATH, WS_PATH } from './ws-protocol';

export type { WebSocketFactory, WebSocketLike } from './ws-connection';

export interface WsClientOptions {
  /** http(s) origin of the browser-mode server, e.g. "http://127.0.0.1:5123". */
  origin: string;
  token: string;
  createSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  /** Delays between reconnect attempts (ms); the last one repeats. */
  reconnectDelaysMs?: readonly number[];
}

export interface WsStudioApi extends StudioApi {
  /** Stops reconnecting and closes the socket (tests, page unload). */
  dispose(): void;
}

export function createWsStudioApi(options: WsClientOptions): WsStudioApi {
  const origin = options.origin.replace(/\/$/, '');
  const wsUrl = `${origin.replace(/^http/, 'ws')}${WS_PATH}?token=${encodeURIComponent(options.token)}`;
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as WebSocketLike);
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const { transport, connection, dispose } = openWsConnection(wsUrl, createSocket, options.reconnectDelaysMs ?? [250, 500, 1000, 2000, 5000]);
  return {
    ...buildApiMethods(transport),
    mode: 'browser',
    events: buildApiEvents(transport),
    blobUrl: (sha256) => `${origin}${BLOB_PATH}${encodeURIComponent(sha256)}?token=${encodeURIComponent(options.token)}`,
    stageFiles: createFileStager(origin, options.token, doFetch),
    connection,
    dispose,
  };
}
