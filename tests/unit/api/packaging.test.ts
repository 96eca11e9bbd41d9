/** Packaging inputs load in the real tools (Forge, electron-builder) and the icons are valid files. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { APP_ID, ASAR_UNPACK, ELECTRON_FUSES, MAC_ENTITLEMENTS, NATIVE_MODULES, STAGED_RESOURCES_DIR } from '../../../packaging/app-files';

const repoRoot = path.resolve(__dirname, '../../..');
const require = createRequire(path.join(repoRoot, 'package.json'));
// The matcher @electron/asar applies to Forge's unpack pattern.
const minimatch = createRequire(require.resolve('@electron/asar'))('minimatch') as (file: string, pattern: string, options: object) => boolean;
const icons = path.join(repoRoot, 'resources', 'icons');

describe('packaging configuration', () => {
  it('electron-builder loads and validates electron-builder.config.ts, built from the shared file set', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    const config = await getConfig(repoRoot, path.join(repoRoot, 'electron-builder.config.ts'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.appId).toBe(APP_ID);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.win.target).toBe('nsis');
    expect(config.asarUnpack).toEqual(ASAR_UNPACK);
    expect(config.extraResources).toEqual([{ from: STAGED_RESOURCES_DIR, to: 'resources' }]);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, onlyLoadAppFromAsar: true });
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(typeof config.beforePack).toBe('function');
  });

  it('Electron Forge resolves forge.config.ts from the same file set, keeping sources out of the package', async () => {
    const { default: resolveForgeConfig } = require('@electron-forge/core/dist/util/forge-config');
    const config = await resolveForgeConfig(repoRoot);
    expect(config.packagerConfig.appBundleId).toBe(APP_ID);
    expect(typeof config.hooks.generateAssets).toBe('function');
    expect(typeof config.hooks.prePackage).toBe('function');
    expect(typeof config.hooks.packageAfterCopy).toBe('function');
    expect(config.packagerConfig.extraResource).toEqual([STAGED_RESOURCES_DIR]);
    expect(config.packagerConfig.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    const ignore = config.packagerConfig.ignore as (file: string) => boolean;
    expect(ignore('/electron/main/main.ts')).toBe(true);
    expect(ignore('/tests')).toBe(true);
    expect(ignore('/dist/electron/main.cjs')).toBe(false);
    expect(ignore('/dist/electron/main.cjs.map')).toBe(true);
    expect(ignore('/dist/.main-test-1/electron/main.cjs')).toBe(true);
    expect(ignore('/node_modules/better-sqlite3/package.json')).toBe(false);

    expect(ignore('/resources')).toBe(false);
    expect(ignore('/resources/icons/icon.png')).toBe(false);
    expect(ignore('/resources/samples')).toBe(true);
    expect(config.rebuildConfig.onlyModules).toEqual(NATIVE_MODULES);
    // @electron/asar matches the unpack pattern with matchBase: every electron-builder glob has its twin.
    const unpack = config.packagerConfig.asar.unpack as string;
    for (const file of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/x.so',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    ]) {
      expect(minimatch(file, unpack, { matchBase: true, dot: true }), file).toBe(true);
    }
    expect(minimatch('node_modules/zod/index.js', unpack, { matchBase: true, dot: true })).toBe(false);
  });

  it("Forge's packageAfterCopy hook flips the same fuses in the copied Electron binary", async () => {
    const { default: resolveForgeConfig } = require('@electron-forge/core/dist/util/forge-config');
    const config = await resolveForgeConfig(repoRoot);
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof import('@electron/fuses');
    const appDir = await mkdtemp(path.join(tmpdir(), 'e2gan-forge-fuses-'));
    try {
      // Linux layout at packageAfterCopy time: <app>/electron (not yet renamed) and <app>/resources/app.
      await mkdir(path.join(appDir, 'resources', 'app'), { recursive: true });
      const wire = Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 8]), Buffer.from('10110001')]);
      await writeFile(path.join(appDir, 'electron'), Buffer.concat([Buffer.from('stand-in '), wire]));
      await config.hooks.packageAfterCopy(config, path.join(appDir, 'resources', 'app'), '45.5.0', 'linux', 'x64');
      const fuses = (await getCurrentFuseWire(path.join(appDir, 'electron'))) as unknown as Record<number, number>;
      const expected: Record<number, boolean> = {
        [FuseV1Options.RunAsNode]: ELECTRON_FUSES.runAsNode,
        [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: ELECTRON_FUSES.enableNodeOptionsEnvironmentVariable,
        [FuseV1Options.EnableNodeCliInspectArguments]: ELECTRON_FUSES.enableNodeCliInspectArguments,
        [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: ELECTRON_FUSES.enableEmbeddedAsarIntegrityValidation,
        [FuseV1Options.OnlyLoadAppFromAsar]: ELECTRON_FUSES.onlyLoadAppFromAsar,
      };
      for (const [index, enabled] of Object.entries(expected)) {
        expect(String.fromCharCode(fuses[Number(index)]!), FuseV1Options[Number(index)]).toBe(enabled ? '1' : '0');
      }
    } finally {
      await rm(appDir, { recursive: true, force: true });
    }
  });

  it('package.json main points at the bundle scripts/build.mjs writes', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('the macOS entitlements grant the camera under the hardened runtime', async () => {
    const plist = await readFile(path.join(repoRoot, MAC_ENTITLEMENTS), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.device\.camera<\/key>\s*<true\/>/);
    expect(plist).not.toContain('com.apple.security.device.audio-input');
  });
});

describe('icons', () => {
  it('icon.png is a 512 px RGBA PNG', async () => {
    const meta = await sharp(path.join(icons, 'icon.png')).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 512, height: 512, channels: 4 });
  });

  it('icon.ico holds PNG images from 16 to 256 px', async () => {
    const ico = await readFile(path.join(icons, 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      const meta = await sharp(ico.subarray(offset, offset + length)).metadata();
      expect(meta.width).toBe(ico.readUInt8(entry) || 256);
      sizes.push(meta.width!);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('icon.icns holds PNG elements up to 1024 px with consistent lengths', async () => {
    const icns = await readFile(path.join(icons, 'icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const found: Record<string, number> = {};
    for (let offset = 8; offset < icns.length; ) {
      const type = icns.subarray(offset, offset + 4).toString('latin1');
      const length = icns.readUInt32BE(offset + 4);
      found[type] = (await sharp(icns.subarray(offset + 8, offset + length)).metadata()).width!;
      offset += length;
    }
    expect(found).toMatchObject({ ic07: 128, ic08: 256, ic09: 512, ic10: 1024 });
  });
});
