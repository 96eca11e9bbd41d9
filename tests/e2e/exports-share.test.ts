/**
 * Export and "send to phone" in browser mode, against the real server, services, export job and share server:
 * a run folder made by `e2gan train` → Export dialog (path + precisions) → progress → the export row with its
 * phone-readiness card → Send to phone (QR code, URL, countdown, certificate note) → Stop. Screenshots land in
 * test-results/e2e/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyCliRun } from '../support/cli-run';
import { createServices, type Services } from '../../electron/services/index';
import { startWebServer } from '../../electron/web/server';

const ARTIFACTS = join(process.cwd(), 'test-results', 'e2e');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 60_000, interval: 100 });
}

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
let runPath: string;
let services: Services;
let server: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  root = await mkdtemp(join(tmpdir(), 'e2gan-e2e-export-'));
  runPath = await trainTinyCliRun(root, 'sepia-vintage');
  // Tests listen on 127.0.0.1 only: no LAN address, so the share says it fell back to loopback.
  services = createServices({ dataDir: join(root, 'data'), lanAddress: () => undefined });
  // The run folder was made by `e2gan train` outside the data folder: browser mode reads it only when allowed.
  server = await startWebServer({ dataDir: services.dataDir, services, port: 0, allowedPathRoots: [root] });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => console.error('[page error]', error));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('export and send to phone', () => {
  it('exports a trained run through the UI and shares it until Stop (loopback only here: no QR code, and why)', async () => {
    const project = services.projects.create({ name: 'Sepia effect' });
    services.concepts.create({ projectId: project.id, name: 'Sepia', prompt: 'old sepia photo' });
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await page
      .getByTestId('project-row')
      .getByRole('button', { name: /^Sepia effect/ })
      .click();
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Sepia effect');
    // Export / Send is the guided flow's last step.
    await page.getByTestId('guide-step-export').click();
    await poll(() => page.getByTestId('exports-empty').isVisible()).toBe(true);

    // A path that is not a run is refused with the back end's explanation, keyboard only.
    await page.getByRole('button', { name: 'Export…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Export for phones' });
    await dialog.getByLabel(/Trained run folder/).fill(root);
    await page.keyboard.press('Enter');
    await poll(() => dialog.getByRole('alert').innerText()).toContain('is not a training run');

    await dialog.getByLabel(/Trained run folder/).fill(runPath);
    await dialog.getByLabel(/int8/).uncheck();
    await page.screenshot({ path: join(ARTIFACTS, 'export-dialog.png') });
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await poll(() => page.getByTestId('export-row').count()).toBe(1);
    const row = page.getByTestId('export-row');
    expect(await row.innerText()).toContain('fp32, fp16');
    expect(await row.getByTestId('readiness-variant').count()).toBe(2);
    expect(await row.getByTestId('readiness-card').innerText()).toMatch(/fits the 8 MB effect budget/);
    expect(await row.getByTestId('readiness-card').innerText()).toMatch(/\d+\.\d ms/);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'export-readiness.png') });

    await row.getByRole('button', { name: 'Send to phone' }).click();
    const share = page.getByTestId('share-dialog');
    await poll(() => share.isVisible()).toBe(true);
    // Only loopback here (no LAN address): no QR code a phone could not use, and the dialog says why.
    await poll(() => share.getByTestId('share-no-qr').isVisible()).toBe(true);
    expect(await share.getByTestId('share-qr').count()).toBe(0);
    const url = await share.getByTestId('share-url').innerText();
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]+\/$/);
    expect(await share.getByTestId('share-countdown').innerText()).toMatch(/^1[45]:\d\d$/);
    expect(await share.getByTestId('share-warning').innerText()).toContain('127.0.0.1');
    expect(await share.getByTestId('share-fingerprint').textContent()).toMatch(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(await status(url)).toBe(200);
    await page.screenshot({ path: join(ARTIFACTS, 'send-to-phone.png') });

    await share.getByRole('button', { name: 'Stop sharing' }).click();
    await poll(() => share.count()).toBe(0);
    expect(services.share.state()).toEqual({ active: false, exportId: null, endedReason: 'stopped' });
    await expect(status(url)).rejects.toThrow();
  }, 180_000);
});
