/** The permission rules the main process installs (electron/main/permissions.ts), case by case. */
import { describe, expect, it } from 'vitest';
import { allowPermissionCheck, allowPermissionRequest, isAppOrigin } from '../../../electron/main/permissions';

describe('isAppOrigin', () => {
  it.each([
    ['studio://app', true],
    ['studio://app/index.html', true],
    ['studio://app/index.html#/projects/1', true],
    ['studio://app:8080/index.html', false],
    ['studio://evil@app/index.html', false],
    ['studio://application/index.html', false],
    ['studio://app.evil.example/', false],
    ['studio-blob://blobs/abc', false],
    ['https://app/', false],
    ['http://127.0.0.1:5173/', false],
    ['file:///index.html', false],
    ['not a url', false],
    ['', false],
  ])('%s -> %s', (url, expected) => {
    expect(isAppOrigin(url)).toBe(expected);
  });
  it('undefined (a request without a frame URL) is not the app', () => {
    expect(isAppOrigin(undefined)).toBe(false);
  });
});

describe('permission requests', () => {
  const app = 'studio://app/index.html';
  it('grants getUserMedia({ video }) to the app page', () => {
    expect(allowPermissionRequest({ permission: 'media', requestingUrl: app, mediaTypes: ['video'] })).toBe(true);
  });
  it('refuses the microphone, alone or with the camera, and a request naming no device', () => {
    expect(allowPermissionRequest({ permission: 'media', requestingUrl: app, mediaTypes: ['audio'] })).toBe(false);
    expect(allowPermissionRequest({ permission: 'media', requestingUrl: app, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allowPermissionRequest({ permission: 'media', requestingUrl: app, mediaTypes: [] })).toBe(false);
    expect(allowPermissionRequest({ permission: 'media', requestingUrl: app })).toBe(false);
  });
  it('refuses the camera to any other origin', () => {
    for (const origin of ['https://example.com/', 'http://127.0.0.1:8443/', 'studio-blob://blobs/x', 'file:///tmp/x.html', undefined]) {
      expect(allowPermissionRequest({ permission: 'media', requestingUrl: origin, mediaTypes: ['video'] }), String(origin)).toBe(false);
    }
  });
  it('refuses every other permission, even to the app', () => {
    const others = [
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'fullscreen',
      'geolocation',
      'idle-detection',
      'keyboardLock',
      'mediaKeySystem',
      'midi',
      'midiSysex',
      'notifications',
      'openExternal',
      'pointerLock',
      'speaker-selection',
      'storage-access',
      'top-level-storage-access',
      'window-management',
      'fileSystem',
      'unknown',
    ];
    for (const permission of others) {
      expect(allowPermissionRequest({ permission, requestingUrl: app, mediaTypes: ['video'] }), permission).toBe(false);
      expect(allowPermissionCheck({ permission, requestingOrigin: 'studio://app', mediaType: 'video' }), permission).toBe(false);
    }
  });
});

describe('permission checks', () => {
  it('answer yes only for video from the app origin', () => {
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'studio://app', mediaType: 'video' })).toBe(true);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'studio://app', mediaType: 'audio' })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'studio://app', mediaType: 'unknown' })).toBe(false);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'https://example.com', mediaType: 'video' })).toBe(false);
  });
});
