/**
 * Electron IPC channel names, derived from the contract's method and event names (never written by hand), and
 * the custom URL schemes the Electron renderer uses. Browser-safe.
 */
import type { ApiEventName, ApiMethodName } from './contract';

export const methodChannel = (name: ApiMethodName): string => `studio:call:${name}`;
export const eventChannel = (name: ApiEventName): string => `studio:event:${name}`;

/** The renderer is loaded from studio://app/index.html (a privileged, secure, standard scheme). */
export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
/**
 * Blobs by sha256: studio-blob://blobs/<sha256>. The sha sits in the path, not the host, because a 64-character
 * host label exceeds DNS's 63-character limit that URL parsers may enforce for standard schemes.
 */
export const BLOB_SCHEME = 'studio-blob';
export const blobUrlFor = (sha256: string): string => `${BLOB_SCHEME}://blobs/${sha256}`;

/**
 * The method and event names the preload generates `window.studio` from. Main passes them as a process
 * argument (webPreferences.additionalArguments, readable by a sandboxed preload), so the preload need not
 * bundle the contract's zod schemas just to learn the names.
 */
export interface ApiShape {
  methods: ApiMethodName[];
  events: ApiEventName[];
}

const API_SHAPE_ARGUMENT = '--studio-api-shape=';

export function apiShapeArgument(shape: ApiShape): string {
  return `${API_SHAPE_ARGUMENT}${encodeURIComponent(JSON.stringify(shape))}`;
}

export function readApiShapeArgument(argv: readonly string[]): ApiShape {
  const argument = argv.find((arg) => arg.startsWith(API_SHAPE_ARGUMENT));
  if (!argument) throw new Error(`preload: missing ${API_SHAPE_ARGUMENT} argument (set by the main process)`);
  return JSON.parse(decodeURIComponent(argument.slice(API_SHAPE_ARGUMENT.length))) as ApiShape;
}
