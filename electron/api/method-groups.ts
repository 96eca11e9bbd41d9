/**
 * The one builder of the API's callable shape: dotted method names ('projects.create') become grouped functions
 * (`api.projects.create(input)`), event names become `events.onX(listener)` subscriptions. Every client uses it:
 * the preload (from the names main passes it), the WebSocket client and the renderer's Electron adapter (from
 * the contract). Imports nothing, so the sandboxed preload bundles it without the contract's zod schemas.
 */

export type MethodGroups = Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
export type EventListeners = Record<string, (listener: (payload: unknown) => void) => () => void>;

export function buildMethodGroups<Name extends string>(names: readonly Name[], call: (name: Name, input?: unknown) => Promise<unknown>): MethodGroups {
  const groups: MethodGroups = {};
  for (const name of names) {
    const [group, key] = splitMethodName(name);
    groups[group] ??= {};
    groups[group][key] = (input?: unknown) => call(name, input);
  }
  return groups;
}

export function buildEventListeners<Name extends string>(
  names: readonly Name[],
  subscribe: (name: Name, listener: (payload: unknown) => void) => () => void,
): EventListeners {
  const listeners: EventListeners = {};
  for (const name of names) listeners[name] = (listener) => subscribe(name, listener);
  return listeners;
}

function splitMethodName(name: string): [group: string, key: string] {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new Error(`API method names are 'group.method', got '${name}'`);
  return [name.slice(0, dot), name.slice(dot + 1)];
}
