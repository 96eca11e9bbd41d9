/**
 * Real-Electron smoke test: the studio as a desktop app, driven by Playwright's Electron support. Where an
 * Electron binary exists (a developer's machine after one `npx electron --version`, or any CI with internet):
 * the window opens on studio://app, window.studio has every contract method, a file imports by its path on
 * disk (the drop path), the camera preview starts (fake device; the microphone stays refused), and Send to
 * phone serves the player. On Linux without a display it runs under xvfb-run.
 *
 * Where no binary exists (this project's offline CI: Electron >= 42 downloads it on first launch) the test is
 * skipped with the reason printed, never silently.
 *
 * better-sqlite3 is the one native module without a stable ABI, so a copy rebuilt for Electron
 * (@electron/rebuild) sits in a temporary app folder; sharp and onnxruntime-node are N-API and load as built.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, readdir } from 'node:fs/promises';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodEntries, type StudioApi } from '../../electron/api/contract';
import { ensureRendererBuilt } from '../../electron/web/renderer-build';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles } from '../../scripts/build.mjs';

const repoRoot = path.resolve(__dirname, '../..');
const requireFromRepo = createRequire(path.join(repoRoot, 'package.json'));

/** The Electron binary, without triggering the first-launch download. */
function findElectronBinary(): { binary: string } | { reason: string } {
  const explicit = process.env.E2GAN_ELECTRON_BINARY;
  if (explicit) return existsSync(explicit) ? { binary: explicit } : { reason: `E2GAN_ELECTRON_BINARY=${explicit} does not exist` };
  const electronDir = path.dirname(requireFromRepo.resolve('electron/package.json'));
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      reason: `no Electron binary: ${pathFile} is missing (Electron >= 42 downloads the binary on first launch; run \`npx electron --version\` once with internet, or set E2GAN_ELECTRON_BINARY)`,
    };
  }
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary } : { reason: `no Electron binary at ${binary}` };
}

function needsXvfb(): boolean {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

function findSkipReason(): string | undefined {
  const found = findElectronBinary();
  if ('reason' in found) return found.reason;
  if (needsXvfb() && spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).error) {
    return 'no display and no xvfb-run (apt-get install -y xvfb)';
  }
  return undefined;
}

const skipReason = findSkipReason();
if (skipReason) console.warn(`\n[electron-smoke] SKIPPED: ${skipReason}\n`);

let workDir: string;
let appDir: string;
let electronApp: ElectronApplication | undefined;
let page: Page;

/** A runnable app folder: package.json and dist/ from the build, node_modules from the repo but better-sqlite3 rebuilt for Electron. */
async function prepareAppFolder(dir: string): Promise<void> {
  await ensureRendererBuilt();
  await buildElectronBundles();
  await mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await cp(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  await cp(path.join(repoRoot, 'dist', 'electron'), path.join(dir, 'dist', 'electron'), { recursive: true });
  await cp(path.join(repoRoot, 'dist', 'renderer'), path.join(dir, 'dist', 'renderer'), { recursive: true });
  await cp(path.join(repoRoot, 'resources'), path.join(dir, 'resources'), { recursive: true });
  for (const name of await readdir(path.join(repoRoot, 'node_modules'))) {
    if (name === 'better-sqlite3' || name === '.bin') continue;
    await symlink(path.join(repoRoot, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  await cp(path.join(repoRoot, 'node_modules', 'better-sqlite3'), path.join(dir, 'node_modules', 'better-sqlite3'), { recursive: true });
  const electronVersion = requireFromRepo('electron/package.json').version as string;
  const rebuildCli = requireFromRepo.resolve('@electron/rebuild/lib/cli.js');
  execFileSync(process.execPath, [rebuildCli, '--version', electronVersion, '--only', 'better-sqlite3', '--force', '--module-dir', dir], { stdio: 'inherit' });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  if (skipReason) return;
  workDir = await mkdtemp(path.join(tmpdir(), 'e2gan-electron-smoke-'));
  appDir = path.join(workDir, 'app');
  await prepareAppFolder(appDir);
  const { binary } = findElectronBinary() as { binary: string };
  const electronArgs = [appDir, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  const [executablePath, args] = needsXvfb() ? ['xvfb-run', ['-a', binary, ...electronArgs]] : [binary, electronArgs];
  electronApp = await _electron.launch({
    executablePath: executablePath as string,
    args: args as string[],
    env: { ...process.env, E2GAN_STUDIO_HOME: path.join(workDir, 'data') } as Record<string, string>,
    timeout: 120_000,
  });
  page = await electronApp.firstWindow();
  await page.waitForLoadState('domcontentloaded');
}, 600_000);

afterAll(async () => {
  await electronApp?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(Boolean(skipReason))('E2GAN Studio in real Electron', () => {
  it('opens the window on the app scheme with window.studio carrying every contract method', async () => {
    expect(page.url()).toBe('studio://app/index.html');
    const missing = await page.evaluate(
      (names) => {
        const studio = (window as unknown as { studio: Record<string, Record<string, unknown>> }).studio;
        return names.filter((name) => {
          const [group, key] = name.split('.') as [string, string];
          return typeof studio[group]?.[key] !== 'function';
        });
      },
      methodEntries.map((entry) => entry.name as string),
    );
    expect(missing).toEqual([]);
  });

  it('imports a file by its path on disk, as a drop does', async () => {
    const photo = path.join(workDir, 'dropped.png');
    await sharp({ create: { width: 48, height: 32, channels: 3, background: '#4a8' } })
      .png()
      .toFile(photo);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'smoke-drop';
      document.body.append(input);
    });
    await page.setInputFiles('#smoke-drop', photo);
    const imported = await page.evaluate(async () => {
      const studio = (window as unknown as { studio: StudioApi }).studio;
      const input = document.querySelector<HTMLInputElement>('#smoke-drop')!;
      const sources = await studio.stageFiles([{ file: input.files![0], relativePath: '' }]);
      const project = await studio.projects.create({ name: 'Smoke' });
      await studio.imports.start({ projectId: project.id, sources });
      for (let i = 0; i < 300; i++) {
        const images = await studio.images.list({ projectId: project.id });
        if (images.length > 0) return { sources, count: images.length };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { sources, count: 0 };
    });
    expect(imported.sources[0].path).toBe(photo);
    expect(imported.count).toBe(1);
  });

  it('starts the camera (video) and refuses the microphone', async () => {
    const result = await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      const video = stream.getVideoTracks().length;
      stream.getTracks().forEach((track) => track.stop());
      const audio = await navigator.mediaDevices.getUserMedia({ audio: true }).then(
        () => 'granted',
        (error: Error) => error.name,
      );
      return { video, audio };
    });
    expect(result).toEqual({ video: 1, audio: 'NotAllowedError' });
  });

  it('sends an export to the phone: the share server serves the player', async () => {
    const pairsDir = path.join(workDir, 'pairs');
    await mkdir(pairsDir);
    for (const [i, colour] of ['#336699', '#669933'].entries()) {
      await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } })
        .png()
        .toFile(path.join(pairsDir, `p${i}.input.png`));
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa7744' } })
        .png()
        .toFile(path.join(pairsDir, `p${i}.target.png`));
    }
    const shareUrl = await page.evaluate(async (dir) => {
      const studio = (window as unknown as { studio: StudioApi }).studio;
      const waitForJob = async (jobId: number) => {
        for (let i = 0; i < 1200; i++) {
          const job = await studio.jobs.get({ jobId });
          if (job.state === 'done') return;
          if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${jobId} ${job.state}: ${JSON.stringify(job.error)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`job ${jobId} did not finish`);
      };
      const project = await studio.projects.create({ name: 'Phone' });
      const concept = await studio.concepts.create({ projectId: project.id, name: 'Warm' });
      await studio.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
      const run = await studio.training.start({ conceptId: concept.id, preset: 'fast', advanced: { steps: 2, size: 32, rank: 2, executionProvider: 'cpu' } });
      await waitForJob(run.jobId!);
      const exportJob = await studio.exports.start({ projectId: project.id, trainingRunId: run.id, precisions: [] });
      await waitForJob(exportJob.id);
      const [record] = await studio.exports.list({ projectId: project.id });
      const share = await studio.share.start({ exportId: record.id });
      if (!share.active) throw new Error(`sharing did not start: ${JSON.stringify(share)}`);
      return share.url;
    }, pairsDir);
    const player = await get(shareUrl);
    expect(player.status).toBe(200);
    expect(player.body).toContain('<script');
    expect((await get(`${shareUrl}ort/ort.webgpu.min.mjs`)).status).toBe(200);
  }, 300_000);
});
