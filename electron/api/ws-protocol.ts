/** Messages of the browser-mode WebSocket. JSON text frames; one socket carries calls, replies and events. */
import type { ApiEventName, ApiMethodName } from './contract';
import type { Envelope } from './dispatch';

export type ClientMessage = { type: 'call'; id: number; method: ApiMethodName; input?: unknown };

export type ServerMessage = { type: 'reply'; id: number; envelope: Envelope } | { type: 'event'; name: ApiEventName; payload: unknown };

/** Path of the WebSocket endpoint; the token goes in the query (browsers cannot set WS headers). */
export const WS_PATH = '/api';
export const UPLOAD_PATH = '/upload';
export const BLOB_PATH = '/blob/';

/**
 * Largest WebSocket message the server reads; a bigger frame closes that socket with 1009 (message too big).
 * It is above the contract's largest legitimate call (imports.start: MAX_SOURCES_JSON_BYTES of sources).
 */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
