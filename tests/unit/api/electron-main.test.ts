/**
 * The bundled Electron main process, run on plain Node with a recording stand-in for the 'electron' module
 * (no Electron binary can run here). Everything behind that seam is real: the bundle esbuild made, the
 * services with their SQLite database, the IPC handlers generated from the contract, the protocol handlers.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles } from '../../../scripts/build.mjs';
import { methodEntries, type Project } from '../../../electron/api/contract';
import type { Envelope } from '../../../electron/api/dispatch';
import { eventChannel, methodChannel, readApiShapeArgument } from '../../../electron/api/ipc-channels';
import { FakeElectron, loadMain as loadBundledMain, UTILITY_SHIM_SOURCE, type Handler } from './fake-electron';

const repoRoot = path.resolve(__dirname, '../../..');

/** expect.poll is not available in hooks. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let workDir: string;
let outDir: string;
let fake: FakeElectron;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'e2gan-main-'));
  // Inside the repo so the bundle's require('better-sqlite3') finds node_modules, like the packaged app.
  const bundleRoot = path.join(repoRoot, 'dist', `.main-test-${process.pid}`);
  outDir = path.join(bundleRoot, 'electron');
  await buildElectronBundles({ outDir });
  await mkdir(path.join(bundleRoot, 'renderer'), { recursive: true });
  await writeFile(path.join(bundleRoot, 'renderer', 'index.html'), '<!doctype html><div id="app"></div>');

  process.env.E2GAN_STUDIO_HOME = path.join(workDir, 'data');
  const utilityShim = path.join(bundleRoot, 'utility-shim.cjs');
  await writeFile(utilityShim, UTILITY_SHIM_SOURCE);
  fake = new FakeElectron({ userData: path.join(workDir, 'user-data'), appPath: repoRoot, utilityShim });
  loadMain(fake);
  await waitUntil(() => fake.windows.length === 1 || fake.errors.length > 0, 'the main window');
});

afterAll(async () => {
  const beforeQuit = fake?.appHandlers.get('before-quit');
  if (beforeQuit) {
    beforeQuit({ preventDefault: () => undefined });
    await waitUntil(() => fake.quitCalls > 0, 'quit after the services closed');
  }
  if (outDir) await rm(path.dirname(outDir), { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function loadMain(electron: FakeElectron): void {
  loadBundledMain(path.join(outDir, 'main.cjs'), electron);
}

const trusted = { senderFrame: { url: 'studio://app/index.html' } };

async function call(channelName: string, input: unknown, event: unknown = trusted): Promise<Envelope> {
  const handler = fake.ipcHandlers.get(methodChannel(channelName as never));
  if (!handler) throw new Error(`no IPC handler for ${channelName}`);
  return (await handler(event, input)) as Envelope;
}

describe('Electron main process (bundled)', () => {
  it('starts without errors, with privileged secure schemes and a menu', () => {
    expect(fake.errors).toEqual([]);
    expect(fake.appUserModelId).toBe(process.platform === 'win32' ? 'com.e2gan.studio' : undefined);
    expect(fake.schemes.map((s) => s.scheme).sort()).toEqual(['studio', 'studio-blob']);
    for (const scheme of fake.schemes) expect(scheme.privileges).toMatchObject({ standard: true, secure: true });
    expect(fake.menu).toBeDefined();
    expect([...fake.appHandlers.keys()]).toEqual(expect.arrayContaining(['second-instance', 'window-all-closed', 'before-quit', 'web-contents-created']));
  });

  it('opens a locked-down window with the preload and the API shape', () => {
    const [window] = fake.windows;
    const prefs = window!.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe(path.join(outDir, 'preload.cjs'));
    expect(window!.url).toBe('studio://app/index.html');
    const shape = readApiShapeArgument(prefs.additionalArguments);
    expect(shape.methods.sort()).toEqual(methodEntries.map((entry) => entry.name).sort());
  });

  it('registers one IPC handler per contract method and serves real services through them', async () => {
    expect(fake.ipcHandlers.size).toBe(methodEntries.length);
    const created = await call('projects.create', { name: 'From IPC' });
    expect(created.ok).toBe(true);
    const project = (created as { value: Project }).value;
    expect((await call('projects.list', undefined)) as { value: Project[] }).toMatchObject({ ok: true, value: [{ name: 'From IPC' }] });
    const info = (await call('app.info', undefined)) as { value: { mode: string; dataDir: string } };
    expect(info.value).toMatchObject({ mode: 'electron', dataDir: path.join(workDir, 'data') });

    // Service events reach the window on the generated event channel.
    const sent = fake.windows[0]!.sent;
    expect(sent).toContainEqual([eventChannel('onProjectsChanged'), { projectId: project.id }]);
  });

  it('rejects invalid payloads and calls from foreign frames with typed errors', async () => {
    expect(await call('projects.rename', { projectId: 0, name: '' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const foreign = await call('projects.list', undefined, { senderFrame: { url: 'https://evil.example/' } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('serves the renderer with the CSP and refuses paths outside it', async () => {
    const serveApp = fake.protocolHandlers.get('studio')!;
    const page = await serveApp(new Request('studio://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain('img-src');
    expect(page.headers.get('content-security-policy')).toContain('studio-blob:');
    expect((await serveApp(new Request('studio://app/..%2F..%2Fpackage.json'))).status).toBe(404);
    expect((await serveApp(new Request('studio://other/index.html'))).status).toBe(404);

    const serveBlob = fake.protocolHandlers.get('studio-blob')!;
    expect((await serveBlob(new Request('studio-blob://blobs/not-a-sha'))).status).toBe(400);
    expect((await serveBlob(new Request(`studio-blob://blobs/${'a'.repeat(64)}`))).status).toBe(404);
  });

  it('blocks navigation away from the app and new windows', () => {
    const listeners = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    const contents = {
      on: (name: string, listener: Handler) => listeners.set(name, listener),
      setWindowOpenHandler: (handler: Handler) => (openHandler = handler),
    };
    fake.appHandlers.get('web-contents-created')!({}, contents);
    let prevented = 0;
    const event = { preventDefault: () => (prevented += 1) };
    listeners.get('will-navigate')!(event, 'https://evil.example/');
    listeners.get('will-navigate')!(event, 'studio://app/index.html#/projects/1');
    listeners.get('will-attach-webview')!(event);
    expect(prevented).toBe(2);
    expect(openHandler!({ url: 'https://arxiv.org/abs/2401.06127' })).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toEqual(['https://arxiv.org/abs/2401.06127']);
    expect(openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toHaveLength(1);
  });

  it('grants the camera (video only) to the app page and refuses every other permission and origin', () => {
    const request = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      fake.permissionHandler!({}, permission, (allow: boolean) => (granted = allow), details);
      return granted;
    };
    const appPage = 'studio://app/index.html';
    expect(request('media', { requestingUrl: appPage, mediaTypes: ['video'] })).toBe(true);
    expect(request('media', { requestingUrl: appPage, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request('media', { requestingUrl: appPage, mediaTypes: ['audio'] })).toBe(false);
    expect(request('media', { requestingUrl: appPage, mediaTypes: [] })).toBe(false);
    expect(request('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] })).toBe(false);
    expect(request('media', { requestingUrl: 'studio-blob://blobs/x', mediaTypes: ['video'] })).toBe(false);
    for (const permission of ['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'midiSysex', 'fullscreen', 'openExternal']) {
      expect(request(permission, { requestingUrl: appPage }), permission).toBe(false);
    }
    const check = (permission: string, origin: string, details: Record<string, unknown>) => fake.permissionCheckHandler!({}, permission, origin, details);
    expect(check('media', 'studio://app', { mediaType: 'video' })).toBe(true);
    expect(check('media', 'studio://app', { mediaType: 'audio' })).toBe(false);
    expect(check('media', 'http://127.0.0.1:5173', { mediaType: 'video' })).toBe(false);
    expect(check('notifications', 'studio://app', {})).toBe(false);
    expect(fake.devicePermissionHandler!({ deviceType: 'usb', origin: 'studio://app' })).toBe(false);
  });

  it('runs an import job in a utility process (the bundled job-process) and serves its thumbnail', async () => {
    const project = ((await call('projects.create', { name: 'Utility import' })) as { value: Project }).value;
    const photo = path.join(workDir, 'photo.png');
    await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3a6' } })
      .png()
      .toFile(photo);
    const broken = path.join(workDir, 'broken.jpg');
    await writeFile(broken, 'not a jpeg');

    const started = await call('imports.start', { projectId: project.id, sources: [{ path: photo }, { path: broken }] });
    expect(started.ok).toBe(true);
    const jobId = (started as { value: { id: number } }).value.id;
    const finishedChannel = eventChannel('onJobFinished');
    const finished = () =>
      fake.windows[0]!.sent.find(([channel, payload]) => channel === finishedChannel && (payload as { job: { id: number } }).job.id === jobId);
    await expect.poll(finished, { timeout: 30_000 }).toBeDefined();
    const job = (finished()![1] as { job: { state: string; result: { imported: unknown[]; skipped: { name: string }[] } } }).job;
    expect(job.state).toBe('done');
    expect(job.result.imported).toHaveLength(1);
    expect(job.result.skipped.map((s) => s.name)).toEqual(['broken.jpg']);
    expect(fake.forked).toEqual([path.join(outDir, 'job-process.cjs')]);

    const images = (await call('images.list', { projectId: project.id })) as { value: { thumbnailSha256: string }[] };
    expect(images.value).toHaveLength(1);
    const thumbnail = await fake.protocolHandlers.get('studio-blob')!(new Request(`studio-blob://blobs/${images.value[0]!.thumbnailSha256}`));
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
  });

  it('shows a long job on the taskbar and notifies when it ends with the window in the background', async () => {
    const project = ((await call('projects.create', { name: 'Attention' })) as { value: Project }).value;
    const photo = path.join(workDir, 'attention.png');
    await sharp({ create: { width: 32, height: 24, channels: 3, background: '#36a' } })
      .png()
      .toFile(photo);
    const imported = (await call('imports.start', { projectId: project.id, sources: [{ path: photo }] })) as { value: { id: number } };
    const finishedChannel = eventChannel('onJobFinished');
    const finishedJob = (jobId: number) =>
      fake.windows[0]!.sent.find(([channel, payload]) => channel === finishedChannel && (payload as { job: { id: number } }).job.id === jobId);
    await expect.poll(() => finishedJob(imported.value.id), { timeout: 30_000 }).toBeDefined();
    // An import is not a long job: no taskbar progress, no notification.
    expect(fake.windows[0]!.progressBar).toEqual([]);
    const images = (await call('images.list', { projectId: project.id })) as { value: { id: number }[] };
    const concept = (await call('concepts.create', { projectId: project.id, name: 'Sepia', teacher: 'sepia-vintage' })) as { value: { id: number } };
    const generating = (await call('pairs.generate', { conceptId: concept.value.id, imageIds: images.value.map((image) => image.id) })) as {
      ok: boolean;
      value: { id: number };
    };
    expect(generating.ok, JSON.stringify(generating)).toBe(true);
    await expect.poll(() => finishedJob(generating.value.id), { timeout: 60_000 }).toBeDefined();
    // A flat one-colour photo: the pair guard flags its pair, which is then both made and listed as failed.
    await expect.poll(() => fake.notifications).toEqual(['Pairs ready: 1 pair made; 1 photo flagged or failed: ready to review.']);
    const bar = fake.windows[0]!.progressBar;
    expect(bar[0]).toEqual([0, 'normal']);
    expect(bar.at(-1)).toEqual([-1, 'none']);
  });

  it('stores no Hugging Face token where safeStorage cannot encrypt, and says why', async () => {
    const status = (await call('models.tokenStatus', undefined)) as { ok: boolean; value: { stored: boolean; canStore: boolean; note: string } };
    expect(status.value).toMatchObject({ stored: false, canStore: false, note: expect.stringContaining('no token is stored') });
    const refused = await call('models.setToken', { token: 'hf_abcdefghijkl' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('not stored') } });
  });

  it('a second instance hands over and quits without opening the data folder', async () => {
    const second = new FakeElectron({ userData: path.join(workDir, 'user-data'), appPath: repoRoot, gotSingleInstanceLock: false });
    loadMain(second);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second.quitCalls).toBe(1);
    expect(second.windows).toHaveLength(0);
    expect(second.ipcHandlers.size).toBe(0);
  });
});
