import { describe, expect, it } from 'vitest';
import { dataLayout, resolveDataDir } from '../../../electron/paths';

describe('resolveDataDir', () => {
  it('uses E2GAN_STUDIO_HOME when set, made absolute', () => {
    expect(resolveDataDir({ env: { E2GAN_STUDIO_HOME: '/srv/studio' }, platform: 'linux', home: '/home/a' })).toBe('/srv/studio');
    expect(resolveDataDir({ env: { E2GAN_STUDIO_HOME: 'rel/dir' }, platform: 'linux', home: '/h' })).toBe(`${process.cwd()}/rel/dir`);
  });

  it('ignores a blank E2GAN_STUDIO_HOME', () => {
    expect(resolveDataDir({ env: { E2GAN_STUDIO_HOME: '  ' }, platform: 'linux', home: '/home/a' })).toBe('/home/a/.config/E2GAN Studio');
  });

  it('matches Electron userData on Linux: XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/a' })).toBe('/xdg/E2GAN Studio');
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/a' })).toBe('/home/a/.config/E2GAN Studio');
    expect(resolveDataDir({ env: {}, platform: 'freebsd', home: '/home/b' })).toBe('/home/b/.config/E2GAN Studio');
  });

  it('matches Electron userData on macOS and Windows', () => {
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/a' })).toBe('/Users/a/Library/Application Support/E2GAN Studio');
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\a' })).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\E2GAN Studio',
    );
    expect(resolveDataDir({ env: {}, platform: 'win32', home: 'C:\\Users\\a' })).toBe('C:\\Users\\a\\AppData\\Roaming\\E2GAN Studio');
  });
});

describe('dataLayout', () => {
  it('puts the database, blobs and staging inside the data folder', () => {
    expect(dataLayout('/d')).toEqual({
      root: '/d',
      database: '/d/studio.sqlite',
      blobs: '/d/blobs',
      staging: '/d/staging',
    });
  });
});
