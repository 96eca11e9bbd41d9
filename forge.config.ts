/**
 * Electron Forge 7: `electron-forge start` (dev run, used by `npm start` when Electron can run) and
 * `electron-forge package` (an unpacked app in out/). Installers (AppImage/deb, dmg, nsis) are made by
 * electron-builder (electron-builder.config.ts, `npm run dist`), so no Forge makers are configured. What the
 * package holds (asar contents, unpacked natives, resources, icons, fuses) comes from packaging/app-files.ts,
 * which electron-builder reads too.
 *
 * Native modules: Forge rebuilds better-sqlite3, onnxruntime-node and sharp for Electron's ABI (rebuildConfig)
 * on the user's machine; the tests keep running on plain Node.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ForgeConfig } from '@electron-forge/shared-types';
import {
  APP_ID,
  CAMERA_USAGE_DESCRIPTION,
  ELECTRON_FUSES,
  EXECUTABLE_NAME,
  forgeAsarUnpackPattern,
  forgeIgnores,
  FUSE_WIRE_ORDER,
  NATIVE_MODULES,
  PRODUCT_NAME,
  STAGED_RESOURCES_DIR,
  stageResources,
} from './packaging/app-files';

const projectDir = __dirname;

function buildBundles(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: projectDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${result.status})`);
}

/**
 * Flips ELECTRON_FUSES in the copied Electron binary, as @electron-forge/plugin-fuses does: after the app is
 * copied (buildPath is <app>/resources/app, Contents/Resources/app on macOS) and before any signing.
 */
async function flipFuses(buildPath: string, platform: string): Promise<void> {
  const { flipFuses: flip, FuseVersion } = await import('@electron/fuses');
  const isApple = platform === 'darwin' || platform === 'mas';
  const base = path.resolve(buildPath, '..', '..');
  const binary = isApple ? path.join(base, 'MacOS', 'Electron') : path.join(base, platform === 'win32' ? 'electron.exe' : 'electron');
  const wire = Object.fromEntries(FUSE_WIRE_ORDER.map((name, index) => [index, ELECTRON_FUSES[name]]));
  await flip(binary, { version: FuseVersion.V1, resetAdHocDarwinSignature: isApple && process.arch === 'arm64', ...wire });
}

const config: ForgeConfig = {
  packagerConfig: {
    name: PRODUCT_NAME,
    executableName: EXECUTABLE_NAME,
    appBundleId: APP_ID,
    appCategoryType: 'public.app-category.graphics-design',
    // Without extension: the packager picks icon.icns on macOS and icon.ico on Windows.
    icon: 'resources/icons/icon',
    asar: { unpack: forgeAsarUnpackPattern() },
    ignore: (file: string) => forgeIgnores(file),
    // Copied to <resourcesPath>/resources (the folder's base name), where the app looks for them.
    extraResource: [STAGED_RESOURCES_DIR],
    extendInfo: { NSCameraUsageDescription: CAMERA_USAGE_DESCRIPTION },
  },
  rebuildConfig: {
    onlyModules: NATIVE_MODULES,
    force: true,
  },
  makers: [],
  hooks: {
    // `forge start` and `forge package` both run this first, so dist/ is always current.
    generateAssets: async () => buildBundles(),
    prePackage: async () => {
      await stageResources(projectDir);
    },
    packageAfterCopy: async (_config, buildPath, _electronVersion, platform) => flipFuses(buildPath, platform),
  },
};

export default config;
