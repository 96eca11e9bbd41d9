/**
 * Browser mode's connection: one WebSocket to the browser-mode server carrying calls, replies and events, that
 * reconnects with backoff. Calls made while disconnected wait for the connection; calls in flight when it drops
 * resolve with a 'disconnected' error (they may or may not have run). Browser-safe.
 */
import type { ClientTransport } from './client';
import type { ApiEventName, ApiMethodName, ConnectionState, Unsubscribe } from './contract';
import type { Envelope } from './dispatch';
import type { ClientMessage, ServerMessage } from './ws-protocol';

/** The subset of the DOM WebSocket the client needs (the `ws` package satisfies it too, for Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsConnection {
  readonly transport: ClientTransport;
  readonly connection: { readonly state: ConnectionState; onChange(listener: (state: ConnectionState) => void): Unsubscribe };
  /** Stops reconnecting and closes the socket. */
  dispose(): void;
}

const OPEN = 1;

export function openWsConnection(wsUrl: string, createSocket: WebSocketFactory, delays: readonly number[]): WsConnection {
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
      if (!set) {
        set = new Set();
        eventListeners.set(name, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  connect();

  return {
    transport,
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
