/** The browser-mode API client as the page gets it, over a Node `ws` socket, for tests against a real server. */
import WebSocket from 'ws';
import { createWsStudioApi, type WebSocketLike, type WsStudioApi } from '../../electron/api/ws-client';

export function connectWsApi(target: { origin: string; token: string }): WsStudioApi {
  return createWsStudioApi({
    origin: target.origin,
    token: target.token,
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    reconnectDelaysMs: [50],
  });
}
