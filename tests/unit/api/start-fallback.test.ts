/**
 * `npm start` where Electron cannot run (this machine: the binary cannot be downloaded, no X server) must fall
 * back to browser mode with a clear message and a working, token-protected server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without type declarations
import { hasDisplay } from '../../../scripts/start.mjs';

let child: ChildProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start fallback', () => {
  it('knows when Linux has no display', () => {
    expect(hasDisplay('linux', {})).toBe(false);
    expect(hasDisplay('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDisplay('darwin', {})).toBe(true);
  });

  it('falls back to browser mode with a message and serves the studio', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'e2gan-start-'));
    // A display is claimed so the fallback is reached through the real Electron lookup (download fails here;
    // where a binary exists it cannot open :99 and exits early, which falls back too).
    child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--data-dir', dataDir], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, DISPLAY: ':99', WAYLAND_DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => /open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.test(output), { timeout: 110_000, interval: 200 }).toBe(true);

    expect(output).toContain('Electron cannot start here:');
    expect(output).toContain('Starting browser mode instead');
    expect(output).toContain(`data folder: ${dataDir}`);
    const url = /open: (\S+)/.exec(output)![1]!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const withoutToken = await fetch(url.replace(/\?token=.*/, ''));
    expect(withoutToken.status).toBe(403);
  }, 120_000);
});
