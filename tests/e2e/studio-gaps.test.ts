/**
 * Issue 16's remaining studio items in browser mode, against the real server, services, SQLite store, job
 * workers, a local Hub on 127.0.0.1 and Debian Chromium: the rank search's steps and its Cancel; a snapshot
 * export of a run that keeps training; model onboarding (sizes before a download, the token field's browser-mode
 * note, the confirmation before "Remove"). Screenshots land in test-results/e2e/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../electron/services/index';
import { startWebServer } from '../../electron/web/server';
import { FakeHub, writeFakeExport } from '../unit/diffusion/fake-hub';

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
const REPO = 'acme/tiny-ip2p';

function poll<T>(read: () => Promise<T> | T, timeout = 60_000) {
  return expect.poll(read, { timeout, interval: 150 });
}

let root: string;
let hub: FakeHub;
let services: Services;
let server: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  root = await mkdtemp(join(tmpdir(), 'e2gan-e2e-gaps-'));
  hub = new FakeHub(REPO, await writeFakeExport(join(root, 'hub-export')));
  await hub.start();
  services = createServices({ dataDir: join(root, 'data'), hubUrl: hub.url, hfCacheDir: join(root, 'hf-cache') });
  server = await startWebServer({ dataDir: services.dataDir, services, port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const project = services.projects.create({ name: 'Gaps' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Warm tint', teacher: 'sepia-vintage' });
  const dir = join(root, 'pairs');
  await mkdir(dir);
  for (const [i, colour] of ['#336699', '#669933', '#993366'].entries()) {
    await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } })
      .png()
      .toFile(join(dir, `p${i}.input.png`));
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa7744' } })
      .png()
      .toFile(join(dir, `p${i}.target.png`));
  }
  await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
  hub?.server.closeAllConnections();
  await new Promise((resolve) => hub?.server.close(resolve));
  if (root) await rm(root, { recursive: true, force: true });
});

/** Starts a run from the Train step with the advanced settings given. */
async function startRun(settings: { steps: string; size: string; rank: string }): Promise<void> {
  await page.getByTestId('guide-step-train').click();
  const advanced = page.getByLabel('Advanced settings');
  if (!(await advanced.isChecked())) await advanced.check();
  await page.getByTestId('advanced-steps').fill(settings.steps);
  await page.getByTestId('advanced-size').fill(settings.size);
  await page.getByLabel('LoRA rank').selectOption(settings.rank);
  await page.getByLabel('Device').selectOption('cpu');
  await page.getByTestId('training-start').click();
}

describe('studio gaps (browser mode)', () => {
  it('shows the rank search as steps and Cancel stops it at once', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await page.getByTestId('project-row').getByRole('button', { name: /^Gaps/ }).click();
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Gaps');
    await startRun({ steps: '300', size: '32', rank: 'auto' });
    const search = page.getByTestId('rank-search-progress');
    await poll(async () => Number((await search.getAttribute('data-done').catch(() => null)) ?? -1), 120_000).toBeGreaterThanOrEqual(1);
    expect(await search.getAttribute('data-max')).toBe('25');
    await expect.poll(() => search.locator('li').first().innerText()).toMatch(/^reference: validation L1 \d\.\d{4}$/);
    expect(await search.locator('progress').getAttribute('max')).toBe('25');
    await page.screenshot({ path: join(ARTIFACTS, 'gaps-rank-search.png') });
    const clicked = Date.now();
    await page.getByTestId('training-run').getByRole('button', { name: 'Cancel', exact: true }).click();
    await poll(() => page.getByTestId('training-state').innerText(), 15_000).toBe('cancelled');
    const seconds = (Date.now() - clicked) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(await search.count()).toBe(0);
    console.log(`rank search cancelled from the UI in ${seconds.toFixed(1)} s`);
  }, 240_000);

  it('exports a snapshot of the newest checkpoint while the run keeps training', async () => {
    await startRun({ steps: '5000', size: '32', rank: '2' });
    const run = page.getByTestId('training-run');
    await poll(() => run.getAttribute('data-state'), 60_000).toBe('running');
    await poll(async () => (await run.getAttribute('data-newest-checkpoint')) ?? '', 120_000).not.toBe('');
    await page.getByTestId('training-snapshot').click();
    await poll(() => page.getByTestId('snapshot-started').isVisible()).toBe(true);
    const step = Number(/step (\d+)/.exec(await page.getByTestId('snapshot-started').innerText())![1]);
    await page.screenshot({ path: join(ARTIFACTS, 'gaps-snapshot-started.png') });

    const training = services.training.list({ projectId: services.projects.list()[0]!.id }).find((candidate) => candidate.state === 'running')!;
    try {
      await page.getByTestId('guide-step-export').click();
      const warnings = page.getByTestId('export-warnings');
      await poll(() => warnings.count(), 120_000).toBe(1);
      // The step shown when asked, unless a slow start let training rotate that checkpoint away (then a newer one).
      const exported = Number(/Snapshot of step (\d+)/.exec(await warnings.innerText())?.[1]);
      expect(exported).toBeGreaterThanOrEqual(step);
      await page.screenshot({ path: join(ARTIFACTS, 'gaps-snapshot-export.png') });
      // Still training: the export ran beside it.
      const now = services.training.get({ runId: training.id });
      expect(now.state).toBe('running');
      expect(now.step).toBeGreaterThan(step);
    } finally {
      services.training.cancel({ runId: training.id });
      await services.jobs.waitFor(training.jobId!);
    }
  }, 300_000);

  it('shows a download’s sizes before it starts, says the token is not stored in browser mode, and confirms Remove', async () => {
    await page.getByTestId('guide-step-concept').click();
    await page.getByTestId('manage-models').click();
    await poll(() => page.getByTestId('hf-token-status').innerText()).toMatch(/no token is stored/);
    expect(await page.getByTestId('hf-token-input').isDisabled()).toBe(true);
    expect(await page.getByTestId('model-pick-folder').count()).toBe(0);
    expect(await page.getByTestId('model-folder').isVisible()).toBe(true);

    await page.getByTestId('model-repo').fill(REPO);
    await page.getByTestId('model-check-download').click();
    const plan = page.getByTestId('download-plan');
    await poll(() => plan.isVisible()).toBe(true);
    const total = Number(await plan.getAttribute('data-total'));
    expect(total).toBeGreaterThan(350_000);
    expect(await plan.innerText()).toMatch(/9 files, [\d.]+ KB in all/);
    expect(await page.getByTestId('model-row').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'gaps-download-plan.png') });
    await page.getByTestId('model-download-confirm').click();
    await poll(() => page.getByTestId('model-row').count()).toBe(1);

    await page.getByRole('button', { name: `Remove acme--tiny-ip2p` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this model?' });
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await page.getByTestId('model-row').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await poll(() => page.getByTestId('model-row').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
