/**
 * Electron main process: single instance, secure window, custom protocols, the API over IPC and the back-end
 * services with jobs in utility processes. Bundled by scripts/build.mjs to dist/electron/main.cjs, next to
 * preload.cjs and job-process.cjs; the renderer build is in dist/renderer.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Notification, safeStorage } from 'electron';
import { createDispatcher } from '../api/dispatch';
import { createApiHandlers, forwardServiceEvents, nodeAppInfo } from '../api/handlers';
import { resolveDataDir } from '../paths';
import { createServices } from '../services/create-services';
import type { Services } from '../services/services';
import { JobAttention } from '../services/job-attention';
import { electronAttentionTarget } from './attention';
import { safeStorageCipher } from './secret-cipher';
import { serveApiOverIpc, sendEventToWindows } from './ipc-host';
import { installMenu } from './menu';
import { handleAppProtocols, registerPrivilegedSchemes } from './protocols';
import { checkForUpdatesInBackground } from './updater';
import { UtilityProcessJobHost } from './utility-process-host';
import { createMainWindow, lockDownWebContents } from './window';

export const APP_ID = 'com.e2gan.studio';

// esbuild emits CommonJS, where __dirname is the dist/electron folder holding the sibling bundles.
const bundleDir = __dirname;
const rendererDir = path.join(bundleDir, '..', 'renderer');

let services: Services | undefined;
let mainWindow: BrowserWindow | undefined;

registerPrivilegedSchemes();
// Windows groups taskbar entries and notifications by this id; elsewhere the packagers' appId does that job.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock()) {
  // Two instances would open the same SQLite database and job queue: hand over to the running one.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (error: unknown) => fail(error));
}

function start(): void {
  try {
    // Same folder as app.getPath('userData') unless E2GAN_STUDIO_HOME overrides it, like the CLI and browser mode.
    const dataDir = process.env.E2GAN_STUDIO_HOME ? resolveDataDir() : app.getPath('userData');
    // Electron's user-data folder (also Chromium's profile) is ours alone: private, like the store makes it.
    if (!process.env.E2GAN_STUDIO_HOME) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      chmodSync(dataDir, 0o700);
    }
    services = createServices({
      dataDir,
      jobHost: new UtilityProcessJobHost(path.join(bundleDir, 'job-process.cjs')),
      secretCipher: safeStorageCipher(safeStorage),
    });
    const desktop = { pickFolder };
    const dispatch = createDispatcher(createApiHandlers(services, nodeAppInfo('electron', app.getVersion(), dataDir), desktop), {
      onInternalError: (method, error) => console.error(`[main] ${method} failed`, error),
    });
    serveApiOverIpc(dispatch);
    forwardServiceEvents(services.events, sendEventToWindows);
    handleAppProtocols(rendererDir, services);
    lockDownWebContents();
    installMenu(dataDir);
    mainWindow = createMainWindow(path.join(bundleDir, 'preload.cjs'));
    watchLongJobs(services);
    // In the background: the window is up before the update feed is even asked.
    void checkForUpdatesInBackground();
  } catch (error) {
    fail(error);
  }
}

app.on('activate', () => {
  if (services && BrowserWindow.getAllWindows().length === 0) {
    mainWindow = createMainWindow(path.join(bundleDir, 'preload.cjs'));
  }
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !services) return;
  // Let running jobs reach a safe point and the database close cleanly before exiting.
  event.preventDefault();
  quitting = true;
  void services.close().finally(() => app.quit());
});

async function pickFolder(title: string): Promise<string | null> {
  const options = { title, properties: ['openDirectory' as const] };
  const result = mainWindow && !mainWindow.isDestroyed() ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** Taskbar / dock progress while training, pair generation or a download runs; a notification when one ends unseen. */
function watchLongJobs(running: Services): void {
  const lookup = (jobId: number) => {
    try {
      return running.jobs.get({ jobId });
    } catch {
      return undefined;
    }
  };
  const attention = new JobAttention(
    electronAttentionTarget(() => mainWindow, Notification),
    lookup,
  );
  running.events.on('jobChanged', ({ job }) => attention.jobChanged(job));
  running.events.on('jobProgress', (progress) => attention.jobProgress(progress));
}

function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error('[main] startup failed', error);
  dialog.showErrorBox('E2GAN Studio could not start', message);
  app.exit(1);
}
