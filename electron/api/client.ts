/**
 * Builds the typed method and event objects of the API from the contract over any transport (Electron IPC in
 * the preload, WebSocket in browser mode). Browser-safe.
 */
import {
  eventNames,
  isApiErrorData,
  methodEntries,
  StudioApiError,
  type ApiEventListeners,
  type ApiEventName,
  type ApiMethodName,
  type ApiMethods,
  type Unsubscribe,
} from './contract';
import type { Envelope } from './dispatch';
import { buildEventListeners, buildMethodGroups } from './method-groups';

export interface ClientTransport {
  /** Sends one call and resolves with the back end's envelope. Rejects only when the transport itself fails. */
  call(method: ApiMethodName, input: unknown): Promise<Envelope>;
  subscribe(event: ApiEventName, listener: (payload: unknown) => void): Unsubscribe;
}

const methodNames = methodEntries.map((entry) => entry.name);

export function buildApiMethods(transport: Pick<ClientTransport, 'call'>): ApiMethods {
  const call = async (name: ApiMethodName, input?: unknown) => unwrap(await transport.call(name, input));
  return buildMethodGroups(methodNames, call) as unknown as ApiMethods;
}

export function buildApiEvents(transport: ClientTransport): ApiEventListeners {
  return buildEventListeners(eventNames, (name, listener) => transport.subscribe(name, listener)) as unknown as ApiEventListeners;
}

export function unwrap(envelope: Envelope): unknown {
  if (envelope.ok) return envelope.value;
  throw new StudioApiError(envelope.error);
}

/**
 * Converts whatever a call rejected with into a StudioApiError. Needed where errors cross contextBridge,
 * which copies plain objects but not Error subclasses.
 */
export function toStudioApiError(method: string, error: unknown): StudioApiError {
  if (error instanceof StudioApiError) return error;
  if (isApiErrorData(error)) return new StudioApiError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new StudioApiError({ code: 'internal', method, message });
}
