/**
 * Browser-mode client: the same typed StudioApi as window.studio, over one WebSocket to the browser-mode
 * server. Browser-safe (no node imports). Reconnects with backoff; calls made while disconnected wait for the
 * connection, calls in flight when it drops reject with a 'disconnected' error (they may or may not have run).
 */
import { buildApiEvents, buildApiMethods, type ClientTransport } from './client';
import {
  StudioApiError,
  type ApiErrorData,
  type ApiEventName,
  type ApiMethodName,
  type ConnectionState,
  type FileToStage,
  type ImportSource,
  type StudioApi,
} from './contract';
import type { Envelope } from './dispatch';
import { BLOB_PATH, UPLOAD_PATH, WS_PATH, type ClientMessage, type ServerMessage } from './ws-protocol';

/** The subset of the DOM WebSocket the client needs (the `ws` package satisfies it too, for Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsClientOptions {
  /** http(s) origin of the browser-mode server, e.g. "http://127.0.0.1:5123". */
  origin: string;
  token: string;
  createSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  /** Delays between reconnect attempts (ms); the last one repeats. */
  reconnectDelaysMs?: readonly number[];
}

const OPEN = 1;

export interface WsStudioApi extends StudioApi {
  /** Stops reconnecting and closes the socket (tests, page unload). */
  dispose(): void;
}

export function createWsStudioApi(options: WsClientOptions): WsStudioApi {
  const origin = options.origin.replace(/\/$/, '');
  const wsUrl = `${origin.replace(/^http/, 'ws')}${WS_PATH}?token=${encodeURIComponent(options.token)}`;
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as WebSocketLike);
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const delays = options.reconnectDelaysMs ?? [250, 500, 1000, 2000, 5000];

  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let disposed = false;
  let nextId = 1;
  const inFlight = new Map<number, { method: ApiMethodName; resolve: (e: Envelope) => void }>();
  const waitingForOpen: { method: ApiMethodName; send: () => void; resolve: (e: Envelope) => void }[] = [];
  const eventListeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const connect = () => {
    const current = createSocket(wsUrl);
    socket = current;
    current.addEventListener('open', () => {
      attempt = 0;
      setState('connected');
      for (const waiting of waitingForOpen.splice(0)) waiting.send();
    });
    current.addEventListener('message', (event) => onMessage(event.data));
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = undefined;
      for (const [, call] of inFlight) {
        call.resolve({
          ok: false,
          error: { code: 'disconnected', method: call.method, message: `${call.method}: connection to the studio was lost` },
        });
      }
      inFlight.clear();
      if (disposed) {
        for (const waiting of waitingForOpen.splice(0)) {
          waiting.resolve({
            ok: false,
            error: { code: 'disconnected', method: waiting.method, message: `${waiting.method}: the client was closed` },
          });
        }
        setState('disconnected');
        return;
      }
      setState('reconnecting');
      const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
      attempt += 1;
      setTimeout(() => !disposed && connect(), delay);
    });
    // An error is always followed by close, which handles it.
    current.addEventListener('error', () => undefined);
  };

  const onMessage = (data: unknown) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'reply') {
      const call = inFlight.get(message.id);
      inFlight.delete(message.id);
      call?.resolve(message.envelope);
    } else if (message.type === 'event') {
      for (const listener of [...(eventListeners.get(message.name) ?? [])]) {
        try {
          listener(message.payload);
        } catch (error) {
          console.error(`listener for ${message.name} threw`, error);
        }
      }
    }
  };

  const transport: ClientTransport = {
    call: (method, input) =>
      new Promise<Envelope>((resolve) => {
        if (disposed) {
          resolve({ ok: false, error: { code: 'disconnected', method, message: `${method}: the client was closed` } });
          return;
        }
        const send = () => {
          const id = nextId++;
          inFlight.set(id, { method, resolve });
          const message: ClientMessage = { type: 'call', id, method, input };
          socket!.send(JSON.stringify(message));
        };
        if (socket?.readyState === OPEN) send();
        else waitingForOpen.push({ method, send, resolve });
      }),
    subscribe: (name, listener) => {
      let set = eventListeners.get(name);
      if (!set) eventListeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  const stageFiles = async (files: FileToStage[]): Promise<ImportSource[]> => {
    const staged: ImportSource[] = [];
    for (const [index, { file, relativePath }] of files.entries()) {
      const name = relativePath || file.name;
      const url = `${origin}${UPLOAD_PATH}?token=${encodeURIComponent(options.token)}&name=${encodeURIComponent(name)}`;
      const response = await doFetch(url, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } });
      if (!response.ok) {
        const detail = await response.text().catch(() => '');
        const message = `uploading ${name} failed (HTTP ${response.status}): ${detail}`;
        const error: ApiErrorData =
          response.status === 400 || response.status === 413
            ? {
                code: 'invalid_input',
                method: 'stageFiles',
                path: [index],
                expected: 'a file the studio can stage',
                received: name,
                message,
                issues: [{ path: [index], message: detail }],
              }
            : { code: 'internal', method: 'stageFiles', message };
        throw new StudioApiError(error);
      }
      staged.push((await response.json()) as ImportSource);
    }
    return staged;
  };

  connect();

  return {
    ...buildApiMethods(transport),
    mode: 'browser',
    events: buildApiEvents(transport),
    blobUrl: (sha256) => `${origin}${BLOB_PATH}${encodeURIComponent(sha256)}?token=${encodeURIComponent(options.token)}`,
    stageFiles,
    connection: {
      get state() {
        return state;
      },
      onChange: (listener) => {
        stateListeners.add(listener);
        return () => stateListeners.delete(listener);
      },
    },
    dispose() {
      disposed = true;
      socket?.close(1000, 'client disposed');
    },
  };
}
