/**
 * electron-builder: the installers (`npm run dist`): AppImage + deb on Linux, dmg on macOS, nsis on Windows.
 * What goes in (asar contents, unpacked natives, resources, icons, fuses) comes from packaging/app-files.ts,
 * which forge.config.ts reads too. Signing, notarisation and the update feed come from environment variables
 * (docs/releasing.md); nothing secret lives in the repository.
 *
 * electron-builder rebuilds the native modules (better-sqlite3, onnxruntime-node, sharp) for Electron's ABI
 * inside the staged app, leaving the project's node_modules (used by the tests on plain Node) untouched.
 */
import type { Configuration } from 'electron-builder';
import {
  APP_ID,
  ASAR_UNPACK,
  builderFilePatterns,
  CAMERA_USAGE_DESCRIPTION,
  ELECTRON_FUSES,
  EXECUTABLE_NAME,
  ICONS,
  MAC_ENTITLEMENTS,
  PRODUCT_NAME,
  STAGED_RESOURCES_DIR,
  stageResources,
} from './packaging/app-files';
import { updateFeedFromEnv } from './packaging/update-feed';

const config: Configuration = {
  appId: APP_ID,
  productName: PRODUCT_NAME,
  copyright: 'Copyright © 2026 E2GAN Studio contributors',
  directories: { output: 'out/installers', buildResources: 'resources/icons' },
  asarUnpack: ASAR_UNPACK,
  extraResources: [{ from: STAGED_RESOURCES_DIR, to: 'resources' }],
  beforePack: async (context) => {
    await stageResources(context.packager.projectDir);
  },
  npmRebuild: true,
  electronFuses: ELECTRON_FUSES,
  publish: updateFeedFromEnv(),
  linux: {
    target: ['AppImage', 'deb'],
    files: builderFilePatterns('linux'),
    icon: ICONS.linux,
    category: 'Graphics',
    executableName: EXECUTABLE_NAME,
    synopsis: 'Author real-time image effects for phones',
  },
  deb: { maintainer: 'E2GAN Studio <studio@e2gan.invalid>' },
  mac: {
    target: ['dmg', 'zip'],
    files: builderFilePatterns('darwin'),
    icon: ICONS.mac,
    category: 'public.app-category.graphics-design',
    hardenedRuntime: true,
    entitlements: MAC_ENTITLEMENTS,
    entitlementsInherit: MAC_ENTITLEMENTS,
    extendInfo: { NSCameraUsageDescription: CAMERA_USAGE_DESCRIPTION },
    // Notarised when APPLE_API_KEY/APPLE_API_KEY_ID/APPLE_API_ISSUER or APPLE_ID/APPLE_APP_SPECIFIC_PASSWORD/
    // APPLE_TEAM_ID are set (docs/releasing.md); skipped otherwise.
    notarize: Boolean(process.env.APPLE_API_KEY || process.env.APPLE_ID),
  },
  win: { target: 'nsis', icon: ICONS.win, files: builderFilePatterns('win32') },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
};

export default config;
