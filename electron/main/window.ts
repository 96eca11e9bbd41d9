/** The main window and the navigation rules every web contents gets (Electron security checklist). */
import path from 'node:path';
import { app, BrowserWindow, session, shell } from 'electron';
import { eventNames, methodEntries } from '../api/contract';
import { APP_ORIGIN, apiShapeArgument } from '../api/ipc-channels';
import { allowPermissionCheck, allowPermissionRequest } from './permissions';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    backgroundColor: '#131316',
    title: 'E2GAN Studio',
    icon: path.join(app.getAppPath(), 'resources', 'icons', 'icon.png'),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      additionalArguments: [apiShapeArgument({ methods: methodEntries.map((entry) => entry.name), events: eventNames })],
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/**
 * Applied once at startup: no navigation away from the app, no new windows, no webviews, and no permission but
 * the camera (video only) for the app's own page (permissions.ts).
 */
export function lockDownWebContents(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(allowPermissionRequest({ permission, requestingUrl: details.requestingUrl, mediaTypes }));
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allowPermissionCheck({ permission, requestingOrigin, mediaType: details.mediaType }),
  );
  // WebHID / WebUSB / Web Serial device access: never.
  session.defaultSession.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never inside the app.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
