/**
 * The studio flow (issue 7) in browser mode against the real server, services, SQLite store, job workers and
 * Debian Chromium, on CPU with a built-in teacher and a tiny budget: create a project → import the sample photos
 * → generate pairs → reject one → pick a representative subset → train → loss chart and preview grid update →
 * the live preview (onnxruntime-web in a worker, WASM) processes the fake camera → reload, the run is still there.
 * A second test keeps the renderer under watch while the run is extended: frames keep coming and a click is
 * answered promptly while steps run. Screenshots land in test-results/e2e/ (gitignored).
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../../electron/web/server';

const ARTIFACTS = join(process.cwd(), 'test-results', 'e2e');
const SAMPLES = join(process.cwd(), 'resources', 'samples');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
/** Six pairs, a subset of four, 32 px, a handful of steps: seconds of training even on a shared 2-core box. */
const PHOTO_COUNT = 6;
const SUBSET = 4;
const STEPS = 6;

function poll<T>(read: () => Promise<T> | T, timeout = 60_000) {
  return expect.poll(read, { timeout, interval: 150 });
}

let dataDir: string;
let server: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'e2gan-flow-e2e-'));
  server = await startWebServer({ dataDir, port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['camera'], { origin: new URL(server.url).origin });
  page = await context.newPage();
  page.on('pageerror', (error) => {
    pageErrors.push(error.message);
    console.error('[page error]', error);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error('[console]', message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function dropSamplePhotos(target: Page, count: number): Promise<string[]> {
  const names = (await readdir(SAMPLES)).filter((name) => name.endsWith('.jpg')).sort().slice(0, count);
  const files = await Promise.all(
    names.map(async (name) => ({ name, base64: (await readFile(join(SAMPLES, name))).toString('base64') })),
  );
  await target.getByTestId('drop-zone').evaluate((zone, payload) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of payload) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: 'image/jpeg' }));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, files);
  return names;
}

/** Non-grey pixels of a canvas: a processed frame has colour; an empty or failed one is blank/uniform. */
function canvasVariance(target: Page, testId: string): Promise<number> {
  return target.getByTestId(testId).evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    if (canvas.width === 0 || canvas.height === 0) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    let sumSquares = 0;
    const count = data.length / 4;
    for (let index = 0; index < data.length; index += 4) {
      const value = data[index]! + data[index + 1]! + data[index + 2]!;
      sum += value;
      sumSquares += value * value;
    }
    return sumSquares / count - (sum / count) ** 2;
  });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `flow-${name}.png`), fullPage: true });
}

describe('studio flow in browser mode', () => {
  it('goes from photos to pairs, curation, subset, training and a live preview, and keeps the run after reload', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');

    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('dialog').getByLabel('Project name').fill('Sepia look');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Sepia look');
    await page.getByRole('button', { name: 'New concept' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Sepia');
    await page.getByRole('dialog').getByLabel(/Edit prompt/).fill('old sepia photograph');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('concept-row').count()).toBe(1);
    await shot('01-concept');

    // The teacher list works offline: built-in effects only, nothing installed.
    const teacher = page.getByTestId('teacher-select');
    await poll(() => teacher.locator('option').count()).toBeGreaterThan(1);
    await teacher.selectOption('sepia-vintage');
    // The model manager opens from the concept page; nothing is installed, the built-ins still work.
    await page.getByTestId('manage-models').click();
    await poll(() => page.getByTestId('models-empty').count()).toBe(1);
    await page.getByTestId('manage-models').click();
    await poll(() => page.getByTestId('model-manager').count()).toBe(0);

    // One photo more than pairs wanted; the artist leaves the first one out.
    const [leftOut] = await dropSamplePhotos(page, PHOTO_COUNT + 1);
    await poll(() => page.getByTestId('thumbnail').count()).toBe(PHOTO_COUNT + 1);
    await page.getByTestId('photo-picker-summary').click();
    await page.getByLabel(`Use ${leftOut}`).uncheck();
    await expect(page.getByTestId('photo-picker-summary').innerText()).resolves.toBe(`Photos to use: ${PHOTO_COUNT} of ${PHOTO_COUNT + 1}`);
    await shot('02-photos');

    await page.getByTestId('pair-count').fill(String(PHOTO_COUNT));
    await page.getByTestId('generate-pairs').click();
    const cards = page.getByTestId('pair-card');
    await poll(() => cards.count(), 120_000).toBe(PHOTO_COUNT);
    await poll(() => page.getByTestId('generation-progress').count(), 120_000).toBe(0);
    // Before and after really load from the blob route.
    await poll(() =>
      cards.locator('img').evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length),
    ).toBe(PHOTO_COUNT * 2);
    expect(await cards.locator('.name').allInnerTexts()).not.toContain(leftOut!.replace(/\.jpg$/, ''));
    await shot('03-pairs');

    // Curation: reject the first pair, accept the rest.
    const firstName = await cards.first().locator('.name').innerText();
    await page.getByRole('button', { name: `Reject ${firstName}`, exact: true }).click();
    await poll(() => cards.first().getAttribute('data-status')).toBe('rejected');
    for (let index = 1; index < PHOTO_COUNT; index += 1) {
      const name = await cards.nth(index).locator('.name').innerText();
      await page.getByRole('button', { name: `Accept ${name}`, exact: true }).click();
      await poll(() => cards.nth(index).getAttribute('data-status')).toBe('accepted');
    }
    await shot('04-curated');

    // Regenerating a pair remakes its target with a new seed (the card keeps its place and its status).
    const secondName = await cards.nth(1).locator('.name').innerText();
    const seedBefore = await cards.nth(1).getAttribute('data-seed');
    await page.getByRole('button', { name: `Regenerate ${secondName} with a new seed`, exact: true }).click();
    await poll(() => cards.nth(1).getAttribute('data-seed'), 120_000).not.toBe(seedBefore);
    await poll(() => cards.count()).toBe(PHOTO_COUNT);

    await page.getByTestId('subset-count').fill(String(SUBSET));
    await page.getByTestId('subset-select').click();
    await poll(() => page.getByTestId('subset-kept').count()).toBe(SUBSET);
    await expect(page.getByTestId('subset-result').innerText()).resolves.toContain(`Kept ${SUBSET}, dropped ${PHOTO_COUNT - 1 - SUBSET}`);
    // The rejected pair never enters the subset.
    expect(await cards.first().getAttribute('data-in-subset')).not.toBe('true');
    await shot('05-subset');

    await page.getByLabel('Advanced settings').check();
    await page.getByTestId('advanced-steps').fill(String(STEPS));
    await page.getByTestId('advanced-size').fill('32');
    await page.getByTestId('training-start').click();
    const run = page.getByTestId('training-run');
    await poll(() => run.count()).toBe(1);
    await poll(() => page.getByTestId('loss-chart').getAttribute('data-points').then(Number), 240_000).toBeGreaterThan(0);
    // The baseline appears first, later previews join it (the grid switches to baseline-vs-latest sliders).
    await poll(() => page.getByTestId('preview-grid').getAttribute('data-preview-count').then(Number), 240_000).toBeGreaterThan(1);
    await poll(() => run.getAttribute('data-state'), 240_000).toBe('done');
    expect(Number(await run.getAttribute('data-step'))).toBe(STEPS);
    expect(await page.getByTestId('loss-chart').locator('canvas').count()).toBeGreaterThan(0);
    // A/B against the teacher: each held-out preview sits on its pair's teacher output (the pair card's "after").
    const grid = page.getByTestId('preview-grid');
    const teacherImages = grid.locator('img[alt$=": teacher"]');
    await poll(() => teacherImages.count()).toBeGreaterThan(0);
    const pairTargets = await cards.locator('img[alt$=": After"]').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')));
    for (const src of await teacherImages.evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')))) {
      expect(pairTargets).toContain(src);
    }
    await poll(() => teacherImages.evaluateAll((imgs) => imgs.every((img) => (img as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await grid.scrollIntoViewIfNeeded();
    await shot('06-trained');

    // Live preview: the newest checkpoint runs in onnxruntime-web (no WebGPU adapter here, so WASM).
    const live = page.getByTestId('live-preview');
    await poll(() => live.getAttribute('data-backend'), 120_000).toBe('wasm');
    await page.getByTestId('live-camera').click();
    await poll(() => live.getAttribute('data-frames').then(Number), 60_000).toBeGreaterThan(2);
    expect(await canvasVariance(page, 'live-output')).toBeGreaterThan(10);
    await expect(page.getByTestId('live-fps').innerText()).resolves.toMatch(/FPS/);
    await live.scrollIntoViewIfNeeded();
    await shot('07-live-preview');

    // A dropped photo goes through the same model.
    await page.getByRole('button', { name: 'Stop camera' }).click();
    const framesBefore = Number(await live.getAttribute('data-frames'));
    const photo = (await readFile(join(SAMPLES, 'coffee.jpg'))).toString('base64');
    await live.evaluate((zone, base64) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'coffee.jpg', { type: 'image/jpeg' }));
      for (const type of ['dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }, photo);
    await poll(() => live.getAttribute('data-frames').then(Number)).toBe(framesBefore + 1);
    expect(await canvasVariance(page, 'live-output')).toBeGreaterThan(10);
    await shot('07b-live-dropped-photo');

    await page.reload();
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => page.getByTestId('training-run').getAttribute('data-state')).toBe('done');
    await poll(() => page.getByTestId('loss-chart').getAttribute('data-points').then(Number)).toBeGreaterThan(0);
    await poll(() => page.getByTestId('pair-card').count()).toBe(PHOTO_COUNT);
    await poll(() => page.getByTestId('subset-kept').count()).toBe(SUBSET);
    await shot('08-after-reload');
    expect(pageErrors).toEqual([]);
  });

  it('runs the live preview on WebGPU where an adapter exists (Chromium SwiftShader here)', async () => {
    const gpuBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] });
    try {
      const gpuPage = await gpuBrowser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      gpuPage.on('pageerror', (error) => errors.push(error.message));
      await gpuPage.goto(page.url());
      const live = gpuPage.getByTestId('live-preview');
      await poll(() => live.getAttribute('data-backend'), 120_000).toBe('webgpu');
      await gpuPage.getByTestId('live-camera').click();
      await poll(() => live.getAttribute('data-frames').then(Number), 120_000).toBeGreaterThan(2);
      expect(await canvasVariance(gpuPage, 'live-output')).toBeGreaterThan(10);
      await live.scrollIntoViewIfNeeded();
      await gpuPage.screenshot({ path: join(ARTIFACTS, 'flow-07c-live-webgpu.png') });
      expect(errors).toEqual([]);
    } finally {
      await gpuBrowser.close();
    }
  });

  it('imports already-paired before/after folders, matched by file name', async () => {
    const root = join(dataDir, 'paired');
    await mkdir(join(root, 'before'), { recursive: true });
    await mkdir(join(root, 'after'), { recursive: true });
    for (const name of ['brick.jpg', 'rocket.jpg']) {
      await copyFile(join(SAMPLES, name), join(root, 'before', name));
      // The same photo, edited: a pair must keep the size.
      await sharp(join(SAMPLES, name)).grayscale().jpeg().toFile(join(root, 'after', name));
    }
    // No "after" twin: reported as skipped, with the reason.
    await copyFile(join(SAMPLES, 'clock.jpg'), join(root, 'before', 'lonely.jpg'));
    const cards = page.getByTestId('pair-card');
    const before = await cards.count();
    await page.getByText('Import before/after pairs').click();
    await page.getByTestId('paired-before').setInputFiles(join(root, 'before'));
    await page.getByTestId('paired-after').setInputFiles(join(root, 'after'));
    await page.getByRole('button', { name: 'Import folders' }).click();
    const result = page.getByTestId('paired-import-result');
    await poll(() => result.count()).toBe(1);
    const report = await result.innerText();
    expect(report).toContain('Imported 2 pairs');
    expect(report).toMatch(/lonely.*no target image/);
    await poll(() => cards.count()).toBe(before + 2);
    await shot('08b-paired-import');
  });

  it('keeps the renderer responsive while the worker trains, and pauses and resumes the extended run', async () => {
    const run = page.getByTestId('training-run');
    const startStep = Number(await run.getAttribute('data-step'));
    const live = page.getByTestId('live-preview');
    const firstModel = await live.getAttribute('data-model-key');
    expect(firstModel).toMatch(/^\d+:\d+$/);
    // The webcam preview keeps running through the training too: both load the machine, neither the page.
    await poll(() => live.getAttribute('data-backend')).toBe('wasm');
    await page.getByTestId('live-camera').click();
    await poll(() => live.getAttribute('data-frames').then(Number)).toBeGreaterThan(0);
    const framesAtStart = Number(await live.getAttribute('data-frames'));
    await page.evaluate(() => {
      const gaps: number[] = [];
      let last = performance.now();
      const state = { gaps, running: true };
      (window as unknown as { frameWatch: typeof state }).frameWatch = state;
      const tick = (now: number) => {
        gaps.push(now - last);
        last = now;
        if (state.running) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.getByRole('button', { name: 'Extend' }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('running');
    await poll(() => run.getAttribute('data-step').then(Number), 240_000).toBeGreaterThan(startStep);

    // A click round trip while steps run: the checkbox toggles and the layout follows within a frame or two.
    const roundTrip = await page.evaluate(async () => {
      const checkbox = [...document.querySelectorAll('[data-testid="live-preview"] input[type="checkbox"]')][0] as HTMLInputElement;
      const started = performance.now();
      checkbox.click();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const changed = document.querySelector('[data-testid="live-preview"] .views.single') !== null;
      checkbox.click();
      return { millis: performance.now() - started, changed };
    });
    expect(roundTrip.changed).toBe(true);
    expect(roundTrip.millis).toBeLessThan(1000);

    // Pause checkpoints and stops; resume continues from there to the extended total.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('paused');
    const pausedAt = Number(await run.getAttribute('data-step'));
    await shot('09a-paused');
    await page.getByTestId('training-resume').click();
    await poll(() => run.getAttribute('data-state'), 240_000).toBe('done');
    expect(Number(await run.getAttribute('data-step'))).toBeGreaterThan(pausedAt);
    // New checkpoints landed during the extension; the live preview swapped to the newest without a reload.
    const [runId, firstCheckpoint] = firstModel!.split(':');
    const newest = await run.getAttribute('data-newest-checkpoint');
    expect(Number(newest)).toBeGreaterThan(Number(firstCheckpoint));
    await poll(() => live.getAttribute('data-model-key'), 120_000).toBe(`${runId}:${newest}`);
    expect(Number(await live.getAttribute('data-frames'))).toBeGreaterThan(framesAtStart + 10);
    const gaps = await page.evaluate(() => {
      const watch = (window as unknown as { frameWatch: { gaps: number[]; running: boolean } }).frameWatch;
      watch.running = false;
      return watch.gaps;
    });
    // A renderer blocked by a training step (or by ORT on the main thread) shows gaps of seconds.
    expect(gaps.length).toBeGreaterThan(20);
    expect(Math.max(...gaps.slice(1))).toBeLessThan(1000);
    await shot('09-extended');
  });

  it('shows a run interrupted by closing the app and resumes it after the restart', async () => {
    await page.getByLabel('Advanced settings').check();
    await page.getByTestId('advanced-steps').fill('400');
    await page.getByTestId('advanced-size').fill('32');
    await page.getByTestId('training-start').click();
    const run = page.getByTestId('training-run');
    await poll(() => run.getAttribute('data-run-id').then(Number)).toBeGreaterThan(1);
    const runId = await run.getAttribute('data-run-id');
    await poll(() => run.getAttribute('data-step').then(Number), 120_000).toBeGreaterThan(1);

    // Close the app mid-run (server, services, job workers), then start it again on the same data.
    const hash = new URL(page.url()).hash;
    await server.close();
    server = await startWebServer({ dataDir, port: 0 });
    await page.goto(`${server.url}${hash}`);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => run.getAttribute('data-run-id')).toBe(runId);
    await poll(() => run.getAttribute('data-state')).toBe('interrupted');
    const interruptedAt = Number(await run.getAttribute('data-step'));
    await shot('10-interrupted');

    await page.getByTestId('training-resume').click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('running');
    await poll(() => run.getAttribute('data-step').then(Number), 120_000).toBeGreaterThan(interruptedAt);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('cancelled');
    // The earlier, finished run is still in the history.
    expect(await page.getByTestId('run-select').locator('option').count()).toBe(2);
    await shot('11-resumed-then-cancelled');
  });
});
