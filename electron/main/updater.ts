/**
 * Auto-update with electron-updater. Checked once at start-up in the background (start-up never waits for the
 * network); an update downloads quietly and installs when the user quits. The feed is the one the release
 * build was made with (resources/app-update.yml, see packaging/update-feed.ts) or E2GAN_UPDATE_URL.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { app } from 'electron';
import { autoUpdater, type AppUpdater, type UpdateInfo } from 'electron-updater';
import { updateFeedFromEnv } from '../../packaging/update-feed';

/** The folder (under the OS cache folder) downloads wait in; electron-builder names it <package name>-updater. */
const UPDATER_CACHE_DIR = 'e2gan-studio-updater';

export type UpdateStatus =
  | { state: 'disabled'; reason: string }
  | { state: 'up-to-date'; version: string }
  | { state: 'downloaded'; version: string; file: string }
  | { state: 'failed'; message: string };

export interface UpdateCheckOptions {
  env?: NodeJS.ProcessEnv;
  /** The updater to drive; electron-updater's platform updater by default. */
  updater?: AppUpdater;
  log?: (line: string) => void;
}

/** Starts the check and returns at once; the promise reports how it ended (tests and logs read it). */
export function checkForUpdatesInBackground(options: UpdateCheckOptions = {}): Promise<UpdateStatus> {
  const log = options.log ?? ((line) => console.log(`[updater] ${line}`));
  // Deferred a turn so that even electron-updater's synchronous set-up runs after start-up finished.
  return new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => runCheck(options, log))
    .then((status) => {
      log(describe(status));
      return status;
    });
}

async function runCheck(options: UpdateCheckOptions, log: (line: string) => void): Promise<UpdateStatus> {
  try {
    const feed = updateFeedFromEnv(options.env);
    const builtInFeed = app.isPackaged && existsSync(path.join(process.resourcesPath, 'app-update.yml'));
    if (!feed && !builtInFeed) return { state: 'disabled', reason: app.isPackaged ? 'this build has no update feed' : 'not a packaged build' };
    const updater = options.updater ?? autoUpdater;
    updater.logger = { info: log, warn: log, error: log, debug: () => undefined };
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    if (feed) {
      // electron-updater reads its feed and cache folder name from a YAML file (the build's app-update.yml);
      // a run-time feed gets one of its own in the user-data folder.
      const configPath = path.join(app.getPath('userData'), 'update-feed.yml');
      mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 });
      writeFileSync(configPath, `provider: generic\nurl: ${JSON.stringify(feed.url)}\nupdaterCacheDirName: ${UPDATER_CACHE_DIR}\n`);
      updater.updateConfigPath = configPath;
      // A feed given at run time also applies to unpackaged runs (trying a release channel from a checkout).
      updater.forceDevUpdateConfig = !app.isPackaged;
    }
    const result = await updater.checkForUpdates();
    if (!result) return { state: 'disabled', reason: 'electron-updater does not update this kind of install' };
    if (!result.isUpdateAvailable || !result.downloadPromise) return { state: 'up-to-date', version: app.getVersion() };
    const [file] = await result.downloadPromise;
    return { state: 'downloaded', version: (result.updateInfo as UpdateInfo).version, file: file ?? '' };
  } catch (error) {
    return { state: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

function describe(status: UpdateStatus): string {
  switch (status.state) {
    case 'disabled':
      return `no update check: ${status.reason}`;
    case 'up-to-date':
      return `up to date (${status.version})`;
    case 'downloaded':
      return `version ${status.version} downloaded; it installs when E2GAN Studio quits`;
    case 'failed':
      return `update check failed: ${status.message}`;
  }
}
