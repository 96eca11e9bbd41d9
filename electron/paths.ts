import { homedir } from 'node:os';
import path from 'node:path';

/** The name Electron derives app.getPath('userData') from (package.json "productName"). */
export const PRODUCT_NAME = 'E2GAN Studio';

export interface DataDirInputs {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * The studio's data folder. E2GAN_STUDIO_HOME wins; otherwise the same folder Electron's
 * app.getPath('userData') returns, computed without Electron so the CLI and browser mode share the app's data.
 */
export function resolveDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const home = inputs.home ?? homedir();
  const override = env.E2GAN_STUDIO_HOME?.trim();
  if (override) return path.resolve(override);
  return userDataDir(platform, env, home);
}

function userDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') {
    // Electron uses the roaming AppData folder (FOLDERID_RoamingAppData), which %APPDATA% names.
    const appData = env.APPDATA?.trim() || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, PRODUCT_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  }
  // Linux and other XDG systems. Electron ignores a relative XDG_CONFIG_HOME, as the XDG spec says to.
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const configHome = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(configHome, PRODUCT_NAME);
}

/** Where each kind of data lives inside the data folder. */
export interface DataLayout {
  root: string;
  database: string;
  blobs: string;
  /** Browser-mode uploads are written here before an import job reads them by path. */
  staging: string;
}

export function dataLayout(dataDir: string): DataLayout {
  return {
    root: dataDir,
    database: path.join(dataDir, 'studio.sqlite'),
    blobs: path.join(dataDir, 'blobs'),
    staging: path.join(dataDir, 'staging'),
  };
}
