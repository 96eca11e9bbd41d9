/**
 * The transport-independent server side of the API: look up a method by its dotted name, validate the input
 * against the contract, call the handler, and turn every outcome into a plain-data envelope. Both the IPC host
 * (Electron main) and the WebSocket server call this, so validation and error mapping exist exactly once.
 */
import { ServiceError } from '../domain/errors';
import { findMethod, type ApiErrorData, type ApiHandlers } from './contract';
import { validateInput } from './validate';

export type Envelope = { ok: true; value: unknown } | { ok: false; error: ApiErrorData };

export type Dispatch = (methodName: unknown, input: unknown) => Promise<Envelope>;

export interface DispatchOptions {
  /** Called with errors that are bugs (not bad requests), so a host can log them. */
  onInternalError?: (methodName: string, error: unknown) => void;
}

export function createDispatcher(handlers: ApiHandlers, options: DispatchOptions = {}): Dispatch {
  return async (methodName, input) => {
    const name = typeof methodName === 'string' ? methodName : String(methodName);
    const entry = typeof methodName === 'string' ? findMethod(methodName) : undefined;
    if (!entry) {
      return { ok: false, error: { code: 'unknown_method', method: name, message: `unknown API method '${name}'` } };
    }
    const checked = validateInput(entry, input);
    if (!checked.ok) return checked;
    const group = handlers[entry.group] as Record<string, (input: unknown) => unknown>;
    try {
      const value = await group[entry.key]!(withoutUndefinedFields(checked.value));
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toApiError(name, error, options) };
    }
  };
}

function toApiError(method: string, error: unknown, options: DispatchOptions): ApiErrorData {
  if (error instanceof ServiceError) {
    switch (error.code) {
      case 'not-found':
        return { code: 'not_found', method, message: error.message };
      case 'conflict':
        return { code: 'conflict', method, message: error.message };
      case 'invalid-input':
        // The services found a problem the schema cannot see (e.g. a path that does not exist).
        return {
          code: 'invalid_input',
          method,
          path: [],
          expected: 'valid input',
          received: 'rejected by the service',
          message: error.message,
          issues: [{ path: [], message: error.message }],
        };
    }
  }
  options.onInternalError?.(method, error);
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'internal', method, message: `${method} failed: ${detail}` };
}

/**
 * An optional field sent as `undefined` (Electron IPC keeps such keys; JSON drops them) reaches the services as
 * an absent key, so `{ ...defaults, ...input }` keeps its defaults whichever transport carried the call.
 */
function withoutUndefinedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefinedFields);
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([key, field]) => [key, withoutUndefinedFields(field)]),
  );
}
