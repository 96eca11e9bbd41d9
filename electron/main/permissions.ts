/**
 * Which web permissions the app grants: the camera, video only, to the app's own page (studio://app) for the
 * live preview's getUserMedia. Everything else (microphone, screen capture, notifications, geolocation,
 * clipboard, HID/USB/serial, ...) and every other origin is refused. Pure functions over the data Electron
 * passes to the session handlers, so the rules are tested without Electron.
 */
import { APP_ORIGIN, APP_SCHEME } from '../api/ipc-channels';

/** The parts of Electron's permission-request details the decision reads. */
export interface PermissionRequest {
  permission: string;
  /** The frame that asked (details.requestingUrl). */
  requestingUrl: string | undefined;
  /** For 'media': what getUserMedia asked for (details.mediaTypes). */
  mediaTypes?: readonly string[] | undefined;
}

/** The parts of a permission check (setPermissionCheckHandler) the decision reads. */
export interface PermissionCheck {
  permission: string;
  requestingOrigin: string | undefined;
  /** For 'media': details.mediaType ('video', 'audio' or 'unknown'). */
  mediaType?: string | undefined;
}

/**
 * Whether a URL (or an origin) is the app's own page, APP_ORIGIN. Compared by parts, because Node's URL gives
 * custom schemes the origin "null" where Chromium, for a registered standard scheme, gives studio://app.
 */
export function isAppOrigin(url: string | undefined): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN && parsed.protocol === `${APP_SCHEME}:` && !parsed.username && !parsed.password;
}

/** A getUserMedia request from our page for video alone. */
export function allowPermissionRequest(request: PermissionRequest): boolean {
  if (request.permission !== 'media' || !isAppOrigin(request.requestingUrl)) return false;
  const types = request.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'video');
}

/** Synchronous checks (navigator.permissions, enumerateDevices labels): the same rule. */
export function allowPermissionCheck(check: PermissionCheck): boolean {
  return check.permission === 'media' && check.mediaType === 'video' && isAppOrigin(check.requestingOrigin);
}
