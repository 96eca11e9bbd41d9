/**
 * Auto-update (electron/main/updater.ts) against a feed served on 127.0.0.1: the real electron-updater reads
 * the feed, compares versions, downloads the new build and checks its sha512. Electron itself is the recording
 * stand-in (its net.request is Node's http.request). Linux: electron-updater's AppImage updater.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeElectron, installFakeElectron } from './fake-electron';

const repoRoot = path.resolve(__dirname, '../../..');
const isLinux = process.platform === 'linux';
if (!isLinux) console.warn(`updater.test: skipped on ${process.platform}: the test drives electron-updater's Linux (AppImage) updater`);

interface Feed {
  version: string;
  payload: Buffer;
  /** sha512 the feed claims (defaults to the payload's). */
  claimedSha512?: string;
}

let workDir: string;
let server: http.Server;
let feedUrl: string;
let feed: Feed;
let fake: FakeElectron;
const served: string[] = [];
const previousEnv = { APPIMAGE: process.env.APPIMAGE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };

function latestYml({ version, payload, claimedSha512 }: Feed): string {
  const sha512 = claimedSha512 ?? createHash('sha512').update(payload).digest('base64');
  const file = `E2GAN-Studio-${version}.AppImage`;
  return [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${sha512}`,
    `    size: ${payload.length}`,
    `path: ${file}`,
    `sha512: ${sha512}`,
    `releaseDate: '2026-12-01T00:00:00.000Z'`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'e2gan-updater-'));
  server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
    served.push(name);
    if (name === 'latest-linux.yml') return void response.end(latestYml(feed));
    if (name === `E2GAN-Studio-${feed.version}.AppImage`) return void response.end(feed.payload);
    response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  fake = new FakeElectron({ userData: path.join(workDir, 'user-data'), appPath: repoRoot });
  installFakeElectron(createRequire(path.join(repoRoot, 'package.json')).resolve('electron-updater'), fake);
  // The AppImage updater acts only inside an AppImage, and caches downloads under XDG_CACHE_HOME.
  process.env.APPIMAGE = path.join(workDir, 'E2GAN-Studio-0.1.0.AppImage');
  process.env.XDG_CACHE_HOME = path.join(workDir, 'cache');
});

afterAll(async () => {
  for (const [name, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function freshUpdater() {
  const { AppImageUpdater } = await import('electron-updater');
  const { checkForUpdatesInBackground } = await import('../../../electron/main/updater');
  const log: string[] = [];
  return { check: (env: NodeJS.ProcessEnv) => checkForUpdatesInBackground({ env, updater: new AppImageUpdater(), log: (line) => log.push(line) }), log };
}

describe.skipIf(!isLinux)('auto-update from a configurable feed', () => {
  it('does not block start-up: nothing is fetched before the caller gets control back', async () => {
    feed = { version: '0.1.0', payload: randomBytes(16) };
    const { check } = await freshUpdater();
    const before = fake.netRequests.length;
    const pending = check({ E2GAN_UPDATE_URL: feedUrl });
    expect(fake.netRequests.length).toBe(before);
    await expect(pending).resolves.toEqual({ state: 'up-to-date', version: '0.1.0' });
    expect(fake.netRequests.slice(before).some((url) => url.includes('/latest-linux.yml'))).toBe(true);
  });

  it('downloads a newer version from the feed and verifies it', async () => {
    feed = { version: '9.9.9', payload: randomBytes(64 * 1024) };
    const { check, log } = await freshUpdater();
    const status = await check({ E2GAN_UPDATE_URL: feedUrl });
    expect(status).toMatchObject({ state: 'downloaded', version: '9.9.9' });
    const file = (status as { file: string }).file;
    expect(file.startsWith(path.join(workDir, 'cache'))).toBe(true);
    expect((await readFile(file)).equals(feed.payload)).toBe(true);
    expect(served).toContain('E2GAN-Studio-9.9.9.AppImage');
    expect(log.at(-1)).toBe('version 9.9.9 downloaded; it installs when E2GAN Studio quits');
  });

  it('refuses a download whose checksum does not match the feed', async () => {
    feed = { version: '9.9.10', payload: randomBytes(1024), claimedSha512: createHash('sha512').update('something else').digest('base64') };
    const { check } = await freshUpdater();
    const status = await check({ E2GAN_UPDATE_URL: feedUrl });
    expect(status.state).toBe('failed');
    expect((status as { message: string }).message).toMatch(/sha512 checksum mismatch/);
  });

  it('an unpackaged run without a feed never asks the network', async () => {
    const { check } = await freshUpdater();
    const before = fake.netRequests.length;
    expect(await check({})).toEqual({ state: 'disabled', reason: 'not a packaged build' });
    expect(fake.netRequests.length).toBe(before);
  });

  it('a feed that is not an http(s) URL is reported, not thrown at start-up', async () => {
    const { check } = await freshUpdater();
    expect(await check({ E2GAN_UPDATE_URL: 'ftp://updates.example/' })).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/E2GAN_UPDATE_URL must be an https/),
    });
  });
});
