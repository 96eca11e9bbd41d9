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
const startedJobKinds = new Map(methodEntries.flatMap((entry) => (entry.jobKind ? [[entry.name, entry.jobKind] as const] : [])));

export function buildApiMethods(transport: Pick<ClientTransport, 'call'>): ApiMethods {
  const call = async (name: ApiMethodName, input?: unknown) => checkStartedJob(name, unwrap(await transport.call(name, input)));
  return buildMethodGroups(methodNames, call) as unknown as ApiMethods;
}

/**
 * The contract types a start call's answer as a job of its kind, but the answer crossed IPC or a WebSocket as
 * plain data: a job of another kind (a back end that broke the contract) is refused here, once for every caller,
 * instead of being read as the wrong payload and result further on.
 */
function checkStartedJob(name: ApiMethodName, answer: unknown): unknown {
  const expected = startedJobKinds.get(name);
  if (expected === undefined) return answer;
  const kind = typeof answer === 'object' && answer !== null ? (answer as { kind?: unknown }).kind : undefined;
  if (kind === expected) return answer;
  const got = kind === undefined ? 'an answer that is not a job' : `a job of kind ${String(kind)}`;
  throw new StudioApiError({ code: 'internal', method: name, message: `${name} should answer with a job of kind ${expected}, got ${got}` });
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
