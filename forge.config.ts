/**
 * Electron Forge 7: `electron-forge start` (dev run, used by `npm start` when Electron can run) and
 * `electron-forge package` (an unpacked app in out/). Installers (AppImage/deb, dmg, nsis) are made by
 * electron-builder from electron-builder.yml (`npm run dist`), so no Forge makers are configured.
 *
 * Native modules: Forge rebuilds better-sqlite3, onnxruntime-node and sharp for Electron's ABI (rebuildConfig)
 * on the user's machine; the tests keep running on plain Node.
 */
import { spawnSync } from 'node:child_process';
import type { ForgeConfig } from '@electron-forge/shared-types';

/** What the packaged app needs from the project folder; everything else (sources, tests) stays out. */
const PACKAGED_PATHS = ['/package.json', '/dist', '/node_modules', '/resources/icons/icon.png'];

function buildBundles(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${result.status})`);
}

const config: ForgeConfig = {
  packagerConfig: {
    name: 'E2GAN Studio',
    executableName: 'e2gan-studio',
    appBundleId: 'com.e2gan.studio',
    appCategoryType: 'public.app-category.graphics-design',
    // Without extension: the packager picks icon.icns on macOS and icon.ico on Windows.
    icon: 'resources/icons/icon',
    // Native .node files cannot be loaded from inside an asar archive.
    asar: { unpack: '**/{*.node,node_modules/sharp/**,node_modules/@img/**,node_modules/onnxruntime-node/bin/**}' },
    ignore: (file: string) =>
      file !== '' && !PACKAGED_PATHS.some((kept) => file === kept || file.startsWith(`${kept}/`) || kept.startsWith(`${file}/`)),
  },
  rebuildConfig: {
    onlyModules: ['better-sqlite3', 'onnxruntime-node', 'sharp'],
    force: true,
  },
  makers: [],
  hooks: {
    // `forge start` and `forge package` both run this first, so dist/ is always current.
    generateAssets: async () => buildBundles(),
  },
};

export default config;
