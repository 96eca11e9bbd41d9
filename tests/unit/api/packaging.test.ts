/** Packaging inputs load in the real tools (Forge, electron-builder) and the icons are valid files. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(__dirname, '../../..');
const require = createRequire(path.join(repoRoot, 'package.json'));
const icons = path.join(repoRoot, 'resources', 'icons');

describe('packaging configuration', () => {
  it('electron-builder loads and validates electron-builder.yml', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    const config = await getConfig(repoRoot, path.join(repoRoot, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.appId).toBe('com.e2gan.studio');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('Electron Forge resolves forge.config.ts, keeping sources out of the package', async () => {
    const { default: resolveForgeConfig } = require('@electron-forge/core/dist/util/forge-config');
    const config = await resolveForgeConfig(repoRoot);
    expect(config.packagerConfig.appBundleId).toBe('com.e2gan.studio');
    expect(typeof config.hooks.generateAssets).toBe('function');
    const ignore = config.packagerConfig.ignore as (file: string) => boolean;
    expect(ignore('/electron/main/main.ts')).toBe(true);
    expect(ignore('/tests')).toBe(true);
    expect(ignore('/dist/electron/main.cjs')).toBe(false);
    expect(ignore('/node_modules/better-sqlite3/package.json')).toBe(false);
    expect(ignore('/resources')).toBe(false);
    expect(ignore('/resources/icons/icon.png')).toBe(false);
    expect(ignore('/resources/samples')).toBe(true);
    expect(config.rebuildConfig.onlyModules).toContain('better-sqlite3');
  });

  it('package.json main points at the bundle scripts/build.mjs writes', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.cjs');
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
