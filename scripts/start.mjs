#!/usr/bin/env node
/**
 * `npm start`: build, then run the desktop app. Where Electron cannot start (its binary cannot be downloaded,
 * or there is no display), fall back to browser mode and say so.
 *
 *   npm start [-- --browser] [-- --port N --data-dir PATH]   (port/data-dir apply to browser mode)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/**
 * A failing `forge start` this soon after launch never got a window up (rebuild failed, missing libraries,
 * display refused). Generous because the first start compiles the native modules for Electron.
 */
const EARLY_EXIT_MS = 180_000;

/**
 * Finds the Electron binary. `require('electron')` downloads it on first use (Electron >= 42 has no install
 * script); run that in a child so a failed or hanging download cannot take this process with it.
 */
export function locateElectron({ timeoutMs = 300_000, env = process.env } = {}) {
  const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) return { ok: false, reason: `locating Electron failed: ${result.error.message}` };
  const binary = result.stdout.trim();
  if (result.status !== 0 || !binary) {
    const lastLine = result.stderr
      .trim()
      .split('\n')
      .filter((line) => /error/i.test(line))
      .pop();
    return { ok: false, reason: `the Electron binary is not installed and could not be downloaded${lastLine ? ` (${lastLine.trim()})` : ''}` };
  }
  if (!existsSync(binary)) return { ok: false, reason: `the Electron binary is missing at ${binary}` };
  return { ok: true, binary };
}

export function hasDisplay(platform = process.platform, env = process.env) {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

function runNode(args) {
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function startBrowserMode(reason, browserArgs) {
  console.log(`\nElectron cannot start here: ${reason}.`);
  console.log('Starting browser mode instead: open the URL below in a browser on this machine.\n');
  const tsxCli = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsxCli, path.join(repoRoot, 'electron', 'web', 'serve-cli.ts'), ...browserArgs], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

function main() {
  const args = process.argv.slice(2);
  const forceBrowser = args.includes('--browser');
  const browserArgs = args.filter((arg) => arg !== '--browser');

  // The desktop build (main/preload bundles + renderer); browser mode rebuilds a stale renderer itself.
  runNode([path.join(repoRoot, 'scripts', 'build.mjs'), '--no-renderer']);

  if (forceBrowser) return startBrowserMode('--browser was given', browserArgs);
  if (!hasDisplay()) return startBrowserMode('no display (neither DISPLAY nor WAYLAND_DISPLAY is set)', browserArgs);
  const electron = locateElectron();
  if (!electron.ok) return startBrowserMode(electron.reason, browserArgs);

  // Forge's start rebuilds the native modules for Electron's ABI, runs scripts/build.mjs (generateAssets hook)
  // and launches the binary located above.
  const forgeCli = path.join(repoRoot, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js');
  const startedAt = Date.now();
  const child = spawn(process.execPath, [forgeCli, 'start'], { cwd: repoRoot, stdio: 'inherit' });
  forwardSignals(child);
  child.on('error', (error) => startBrowserMode(`launching Electron Forge failed: ${error.message}`, browserArgs));
  child.on('exit', (code, signal) => {
    if (code !== 0 && Date.now() - startedAt < EARLY_EXIT_MS) {
      return startBrowserMode(`Electron exited right after launch (${signal ?? `code ${code}`})`, browserArgs);
    }
    // Forge rebuilt better-sqlite3 for Electron; `npm test` (pretest: scripts/ensure-node-abi.mjs) rebuilds it for Node.
    process.exit(code ?? 0);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
