/**
 * What an installer would contain: electron-builder packs the app (`--dir`, the unpacked layout every installer
 * is made from) with the real configuration. The Electron zip cannot be downloaded here, so `electronDist` is a
 * stand-in folder whose "binary" carries an Electron fuse wire: what is tested is our packaging, not Electron.
 * Then the bundled main process from that package runs (on Node, with the recording Electron stand-in) with
 * process.resourcesPath pointing into it, trains on the shipped base model and serves the phone player.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../electron/api/dispatch';
import { eventChannel, methodChannel } from '../../../electron/api/ipc-channels';
import { ensureRendererBuilt } from '../../../electron/web/renderer-build';
import builderConfig from '../../../electron-builder.config';
import { SHIPPED_RESOURCES } from '../../../packaging/app-files';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles } from '../../../scripts/build.mjs';
import { FakeElectron, interceptElectronRequire, UTILITY_SHIM_SOURCE } from '../../unit/api/fake-electron';

const repoRoot = path.resolve(__dirname, '../../..');
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));

// The package is built for the machine running the test; the assertions name Linux's files.
const skipReason = process.platform !== 'linux' ? `packaged-layout test: skipped on ${process.platform}, it checks the Linux layout` : undefined;
if (skipReason) console.warn(skipReason);

/** Electron's fuse wire as @electron/fuses finds it: sentinel, wire version 1, 8 fuses (Electron's defaults). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STAND_IN_WIRE = '10110001';

let workDir: string;
let appOutDir: string;
let resourcesPath: string;
let extractedApp: string;
let asarFiles: string[];
let fake: FakeElectron;
let restoreElectron: (() => void) | undefined;
const previousResourcesPath = (process as { resourcesPath?: string }).resourcesPath;
const previousHome = process.env.E2GAN_STUDIO_HOME;

/** expect.poll works only inside a test; the hooks wait with this. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function makeElectronStandIn(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'resources'), { recursive: true });
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, STAND_IN_WIRE.length]), Buffer.from(STAND_IN_WIRE)]);
  await writeFile(path.join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\n# Electron stand-in\nexit 0\n#'), wire, Buffer.from('\n')]), {
    mode: 0o755,
  });
  await writeFile(path.join(dir, 'LICENSE'), 'Electron stand-in');
  await writeFile(path.join(dir, 'version'), requireFromRepo('electron/package.json').version);
}

beforeAll(async () => {
  if (skipReason) return;
  workDir = await mkdtemp(path.join(tmpdir(), 'e2gan-packaged-'));
  await ensureRendererBuilt();
  await buildElectronBundles();
  const electronDist = path.join(workDir, 'electron-dist');
  await makeElectronStandIn(electronDist);

  const { build, Platform, Arch } = requireFromRepo('electron-builder') as typeof import('electron-builder');
  await build({
    projectDir: repoRoot,
    targets: Platform.LINUX.createTarget('dir', Arch[process.arch as 'x64' | 'arm64']),
    publish: 'never',
    config: {
      ...builderConfig,
      directories: { ...builderConfig.directories, output: path.join(workDir, 'out') },
      electronDist,
      // Rebuilding the natives for Electron needs Electron's headers (a download); the package keeps Node's builds.
      npmRebuild: false,
      publish: { provider: 'generic', url: 'https://updates.e2gan.invalid/stable/' },
    },
  });
  appOutDir = path.join(workDir, 'out', process.arch === 'x64' ? 'linux-unpacked' : `linux-${process.arch}-unpacked`);
  resourcesPath = path.join(appOutDir, 'resources');
  const asar = requireFromRepo('@electron/asar') as typeof import('@electron/asar');
  const archive = path.join(resourcesPath, 'app.asar');
  asarFiles = asar.listPackage(archive, { isPack: false }).map((file) => file.split(path.sep).join('/'));
  // What Electron would read through its asar support (unpacked files included), as a plain folder for Node.
  extractedApp = path.join(resourcesPath, 'app');
  asar.extractAll(archive, extractedApp);
}, 300_000);

afterAll(async () => {
  const beforeQuit = fake?.appHandlers.get('before-quit');
  if (beforeQuit) {
    beforeQuit({ preventDefault: () => undefined });
    await waitUntil(() => fake.quitCalls > 0, 'quit after the services closed', 30_000);
  }
  restoreElectron?.();
  (process as { resourcesPath?: string }).resourcesPath = previousResourcesPath;
  if (previousHome === undefined) delete process.env.E2GAN_STUDIO_HOME;
  else process.env.E2GAN_STUDIO_HOME = previousHome;
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(Boolean(skipReason))('the unpacked package electron-builder makes', () => {
  it('app.asar holds the bundles, the renderer and the window icon, and no sources, maps or dev tools', () => {
    for (const bundle of ['main', 'preload', 'job-process', 'job-worker', 'compute-worker', 'cli']) {
      expect(asarFiles, bundle).toContain(`/dist/electron/${bundle}.cjs`);
    }
    expect(asarFiles).toContain('/dist/renderer/index.html');
    expect(asarFiles).toContain('/package.json');
    expect(asarFiles).toContain('/resources/icons/icon.png');
    const outsideNodeModules = asarFiles.filter((file) => !file.startsWith('/node_modules/'));
    expect(outsideNodeModules.filter((file) => /^\/(electron|native-models|renderer|tests|scripts|packaging)\//.test(file))).toEqual([]);
    expect(asarFiles.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const devOnly of ['tsx', 'esbuild', 'vite', 'vitest', 'electron', 'electron-builder', 'onnxruntime-web', 'protobufjs']) {
      expect(asarFiles, devOnly).not.toContain(`/node_modules/${devOnly}/package.json`);
    }
    expect(JSON.parse(readFileSync(path.join(extractedApp, 'package.json'), 'utf8')).main).toBe('dist/electron/main.cjs');
  });

  it('the native modules sit unpacked next to the asar, only for this platform', () => {
    const unpacked = path.join(resourcesPath, 'app.asar.unpacked', 'node_modules');
    const ortBinaries = path.join(unpacked, 'onnxruntime-node', 'bin', 'napi-v6');
    expect(existsSync(path.join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(existsSync(path.join(ortBinaries, 'linux', process.arch, 'onnxruntime_binding.node'))).toBe(true);
    expect(readdirSync(ortBinaries)).toEqual(['linux']);
    expect(readdirSync(path.join(ortBinaries, 'linux'))).toEqual([process.arch]);
    expect(existsSync(path.join(unpacked, 'sharp', 'package.json'))).toBe(true);
    const sharpBinding = readdirSync(path.join(unpacked, '@img')).filter((name) => name.startsWith('sharp-linux'));
    expect(sharpBinding.length).toBeGreaterThan(0);
  });

  it('resources/ holds the base model, the phone player with its onnxruntime-web files, the samples and the icons', () => {
    const shipped = path.join(resourcesPath, 'resources');
    for (const resource of SHIPPED_RESOURCES) {
      const names = resource.files ?? readdirSync(path.join(repoRoot, resource.from));
      for (const name of names) {
        const original = readFileSync(path.join(repoRoot, resource.from, name));
        const copied = readFileSync(path.join(shipped, resource.to, name));
        expect(copied.equals(original), `${resource.to}/${name}`).toBe(true);
      }
    }
    expect(readdirSync(path.join(shipped, 'base-model')).sort()).toEqual(['MODEL_CARD.md', 'base.json', 'base.safetensors']);
    expect(readdirSync(path.join(shipped, 'samples')).filter((name) => name.endsWith('.jpg')).length).toBeGreaterThanOrEqual(5);
  });

  it('the binary has the hardening fuses flipped, and the update feed is built in', async () => {
    const { getCurrentFuseWire, FuseV1Options } = requireFromRepo('@electron/fuses') as typeof import('@electron/fuses');
    const wire = await getCurrentFuseWire(path.join(appOutDir, 'e2gan-studio'));
    const on = '1'.charCodeAt(0);
    const off = '0'.charCodeAt(0);
    expect(wire[FuseV1Options.RunAsNode]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(on);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(on);
    const feed = await readFile(path.join(resourcesPath, 'app-update.yml'), 'utf8');
    expect(feed).toContain('provider: generic');
    expect(feed).toContain('url: https://updates.e2gan.invalid/stable/');
  });
});

/** GET over HTTPS against the share server's self-signed certificate. */
function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function call<T>(method: string, input: unknown): Promise<T> {
  const handler = fake.ipcHandlers.get(methodChannel(method as never));
  if (!handler) throw new Error(`no IPC handler for ${method}`);
  const envelope = (await handler({ senderFrame: { url: 'studio://app/index.html' } }, input)) as Envelope;
  if (!envelope.ok) throw new Error(`${method}: ${JSON.stringify(envelope.error)}`);
  return envelope.value as T;
}

async function jobFinished(jobId: number): Promise<{ state: string; error?: unknown }> {
  const channel = eventChannel('onJobFinished');
  const find = () => fake.windows[0]?.sent.find(([name, payload]) => name === channel && (payload as { job: { id: number } }).job.id === jobId);
  await expect.poll(find, { timeout: 90_000, interval: 100 }).toBeDefined();
  return (find()![1] as { job: { state: string; error?: unknown } }).job;
}

describe.skipIf(Boolean(skipReason))('the packaged main process', () => {
  beforeAll(async () => {
    const dataDir = path.join(workDir, 'data');
    process.env.E2GAN_STUDIO_HOME = dataDir;
    (process as { resourcesPath?: string }).resourcesPath = resourcesPath;
    const utilityShim = path.join(workDir, 'utility-shim.cjs');
    await writeFile(utilityShim, UTILITY_SHIM_SOURCE);
    fake = new FakeElectron({ userData: path.join(workDir, 'user-data'), appPath: extractedApp, isPackaged: true, utilityShim, resourcesPath });
    restoreElectron = interceptElectronRequire(fake);
    createRequire(path.join(extractedApp, 'package.json'))(path.join(extractedApp, 'dist', 'electron', 'main.cjs'));
    await waitUntil(() => fake.windows.length + fake.errors.length > 0, 'the main window', 20_000);
  }, 60_000);

  it('starts from the package, with the window icon and preload found inside it', () => {
    expect(fake.errors).toEqual([]);
    const [window] = fake.windows;
    expect(window!.options.webPreferences.preload).toBe(path.join(extractedApp, 'dist', 'electron', 'preload.cjs'));
    expect(existsSync(String((window!.options as { icon?: string }).icon))).toBe(true);
  });

  it('trains on the shipped base model and sends the export to a phone with the shipped player', async () => {
    const project = await call<{ id: number }>('projects.create', { name: 'Packaged' });
    const concept = await call<{ id: number }>('concepts.create', { projectId: project.id, name: 'Warm' });
    const pairsDir = path.join(workDir, 'pairs');
    await mkdir(pairsDir);
    for (const [i, colour] of ['#336699', '#669933', '#993366'].entries()) {
      await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } })
        .png()
        .toFile(path.join(pairsDir, `p${i}.input.png`));
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa7744' } })
        .png()
        .toFile(path.join(pairsDir, `p${i}.target.png`));
    }
    await call('pairs.importPaired', { conceptId: concept.id, sources: [{ path: pairsDir }] });
    const run = await call<{ id: number; jobId: number; runPath: string }>('training.start', {
      conceptId: concept.id,
      preset: 'fast',
      advanced: { steps: 2, size: 32, rank: 2, executionProvider: 'cpu' },
    });
    expect(await jobFinished(run.jobId)).toMatchObject({ state: 'done' });
    // The job process (a utility process of the packaged app) found the base under process.resourcesPath.
    // The run's settings are recorded on its row (the one record; there is no run.json). Read in a child
    // process: the packaged app in this process has its own copy of SQLite (from the package's better-sqlite3),
    // and a second copy opening and closing the same database here would drop the app's POSIX locks and
    // checkpoint its WAL underneath it (the app's job process then saw a stale database).
    const settings = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          [
            `const Database = require(${JSON.stringify(requireFromRepo.resolve('better-sqlite3'))});`,
            `const db = new Database(${JSON.stringify(path.join(workDir, 'data', 'studio.sqlite'))}, { readonly: true });`,
            `process.stdout.write(db.prepare('SELECT engine_settings FROM training_runs WHERE id = ?').get(${run.id}).engine_settings);`,
          ].join('\n'),
        ],
        { encoding: 'utf8' },
      ),
    ).settings as { base?: string };
    expect(settings.base).toBe(path.join(resourcesPath, 'resources', 'base-model', 'base.safetensors'));

    const exportJob = await call<{ id: number }>('exports.start', { projectId: project.id, trainingRunId: run.id, precisions: [] });
    expect(await jobFinished(exportJob.id)).toMatchObject({ state: 'done' });
    const [record] = await call<{ id: number }[]>('exports.list', { projectId: project.id });
    const share = await call<{ active: boolean; url?: string }>('share.start', { exportId: record!.id });
    expect(share.active).toBe(true);

    const playerDir = path.join(resourcesPath, 'resources', 'phone-player');
    for (const route of ['index.html', 'player.js', 'player.css', 'ort/ort.webgpu.min.mjs', 'ort/ort-wasm-simd-threaded.asyncify.wasm']) {
      const response = await get(`${share.url}${route}`);
      expect(response.status, route).toBe(200);
      const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      expect(sha(response.body), route).toBe(sha(readFileSync(path.join(playerDir, route))));
    }
    expect((await get(`${share.url}model.onnx`)).status).toBe(200);
    await call('share.stop', undefined);
  }, 180_000);
});
