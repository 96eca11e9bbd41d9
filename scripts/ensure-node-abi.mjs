#!/usr/bin/env node
/**
 * Runs before `npm test`. `npm start` with Electron (Forge's start) rebuilds better-sqlite3 for Electron's
 * ABI inside node_modules; the tests run on plain Node, so rebuild it back for Node when it no longer loads.
 * A no-op when the module already loads (the usual case, and always on CI).
 */
import { spawnSync } from 'node:child_process';

const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
if (probe.status === 0) process.exit(0);
if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(probe.stderr)) {
  process.stderr.write(probe.stderr);
  process.exit(probe.status ?? 1);
}
console.log('better-sqlite3 is built for Electron (after `npm start`); rebuilding it for Node to run the tests…');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const rebuild = spawnSync(npm, ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
process.exit(rebuild.status ?? 1);
