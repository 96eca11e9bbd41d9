/**
 * The WebSocket end of browser mode's API: calls come in as JSON messages and go to the dispatcher, replies and
 * the services' events go out to every connected client. Who may connect is decided before the upgrade
 * (server.ts checks host, origin and token).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../api/dispatch';
import { forwardServiceEvents } from '../api/handlers';
import { WS_MAX_PAYLOAD_BYTES, type ClientMessage, type ServerMessage } from '../api/ws-protocol';
import type { Services } from '../services/services';

export interface WsEndpoint {
  /** Completes an upgrade the server has already authorised. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createWsEndpoint(dispatch: Dispatch, events: Services['events'], log: (line: string) => void): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  const clients = new Set<WebSocket>();

  const acceptClient = (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    // Protocol errors (a frame over maxPayload, invalid UTF-8 in a text frame) end this socket with the close
    // code ws chose (1009, 1007); without a listener they would be thrown and end the whole server.
    ws.on('error', (error) => log(`[web] WebSocket closed: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: ClientMessage;
      try {
        message = JSON.parse(data.toString()) as ClientMessage;
      } catch {
        return ws.close(1003, 'messages must be JSON');
      }
      if (message?.type !== 'call' || typeof message.id !== 'number') return ws.close(1003, 'unknown message');
      void dispatch(message.method, message.input).then((envelope) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'reply', id: message.id, envelope } satisfies ServerMessage));
      });
    });
  };

  const stopForwarding = forwardServiceEvents(events, (name, payload) => {
    const text = JSON.stringify({ type: 'event', name, payload } satisfies ServerMessage);
    for (const client of clients) if (client.readyState === client.OPEN) client.send(text);
  });

  return {
    accept: (request, socket, head) => wss.handleUpgrade(request, socket, head, acceptClient),
    close() {
      stopForwarding();
      for (const client of clients) client.terminate();
      wss.close();
    },
  };
}
