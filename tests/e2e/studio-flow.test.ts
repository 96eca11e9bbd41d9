/**
 * The guided studio (issues 7 and 16) in browser mode against the real server, services, SQLite store, job
 * workers and Debian Chromium, at 1280x800, on CPU with a built-in teacher and a tiny budget. A newcomer walks
 * the six steps: Photos ("Try with the sample photos") → Concept & teacher (the prompt's closest built-in
 * effect is suggested and the unused prompt is said plainly) → Pairs (generated, then curated with the keyboard
 * only: reject, accept, undo, move, full-size compare) → Train (the plan names the held-out pairs; the quality
 * chart shows held-out PSNR against both baselines) → Preview (large previews, zoom, live preview on the fake
 * camera) → Export / Send (readiness card with the quality verdict; no QR code on loopback). Each step is
 * checked to be above the fold. A second test keeps the renderer under watch while the run is extended.
 * Screenshots land in test-results/e2e/ (gitignored); the README's come from here (docs/screenshots/).
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../../electron/web/server';
import { decodeQr } from '../support/qr';

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
/** The ten sample photos, one left out: nine pairs, a subset of four, 32 px, a handful of steps. */
const SAMPLE_COUNT = 10;
const PHOTO_COUNT = SAMPLE_COUNT - 1;
const SUBSET = 4;
const STEPS = 6;
const VIEWPORT = { width: 1280, height: 800 };

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
  const context = await browser.newContext({ viewport: VIEWPORT });
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

/** What the window shows (not the full page): each step must be usable without scrolling. */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `flow-${name}.png`) });
}

async function showStep(id: string): Promise<void> {
  await page.getByTestId(`guide-step-${id}`).click();
  await poll(() => page.getByTestId(`guide-step-${id}`).getAttribute('aria-current')).toBe('step');
}

/** The element's top edge is inside the 800 px window (above the fold) with the page scrolled to the top. */
async function aboveTheFold(testId: string): Promise<boolean> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.getByTestId(testId).first().boundingBox();
  return box !== null && box.y >= 0 && box.y + Math.min(box.height, 40) <= VIEWPORT.height;
}

describe('studio flow in browser mode', () => {
  it('guides a newcomer from the sample photos to an exported bundle, curating a batch by keyboard only', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');

    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('dialog').getByLabel('Project name').fill('Sepia look');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Sepia look');

    // Step 1, Photos: a new project opens here, with a one-click start.
    await poll(() => page.getByTestId('guide-step-photos').getAttribute('aria-current')).toBe('step');
    expect(await page.getByTestId('guide').locator('li').allInnerTexts()).toEqual([
      expect.stringContaining('Photos'),
      expect.stringContaining('Concept & teacher'),
      expect.stringContaining('Pairs'),
      expect.stringContaining('Train'),
      expect.stringContaining('Preview'),
      expect.stringContaining('Export / Send'),
    ]);
    await expect(page.getByTestId('guide-next').innerText()).resolves.toContain('try the sample photos');
    expect(await aboveTheFold('try-samples')).toBe(true);
    await shot('01-start');
    await page.getByTestId('try-samples').click();
    await poll(() => page.getByTestId('thumbnail').count(), 120_000).toBe(SAMPLE_COUNT);
    await poll(() => page.getByTestId('guide-step-photos').getAttribute('data-done')).toBe('true');
    await shot('02-photos');

    // Step 2, Concept & teacher: the teacher is chosen in the concept dialog; a built-in effect ignores the
    // prompt, so the dialog suggests the closest one and says the prompt is not used.
    await page.getByTestId('guide-continue').click();
    await poll(() => page.getByTestId('guide-step-concept').getAttribute('aria-current')).toBe('step');
    await page.getByRole('button', { name: 'New concept' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Sepia');
    await dialog.getByLabel(/Edit prompt/).fill('make it look like an old sepia photograph');
    await poll(() => dialog.getByTestId('teacher-select').inputValue()).toBe('sepia-vintage');
    await expect(dialog.getByTestId('prompt-note').innerText()).resolves.toMatch(/prompt “make it look like an old sepia photograph” is not used/);
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('concept-row').count()).toBe(1);
    await poll(() => page.getByTestId('concept-row').getAttribute('data-active')).toBe('true');
    // A second concept becomes the active one as soon as it is made.
    await page.getByRole('button', { name: 'New concept' }).click();
    await dialog.getByLabel('Name').fill('Winter');
    await dialog.getByLabel(/Edit prompt/).fill('make it winter');
    await poll(() => dialog.getByTestId('teacher-select').inputValue()).toBe('winter-snow');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('concept-row').nth(1).getAttribute('data-active')).toBe('true');
    expect(await page.getByTestId('concept-row').first().getAttribute('data-active')).toBe('false');
    await page.getByTestId('concept-row').first().getByRole('radio').check();
    await poll(() => page.getByTestId('concept-row').first().getAttribute('data-active')).toBe('true');
    // The gallery shows every built-in effect on the user's own first photo.
    await poll(() => page.getByTestId('gallery-tile').count(), 60_000).toBe(20);
    await poll(() =>
      page
        .getByTestId('gallery-tile')
        .locator('img')
        .evaluateAll((imgs) => imgs.every((img) => (img as HTMLImageElement).naturalWidth > 0)),
    ).toBe(true);
    expect(await page.getByTestId('concept-teacher-select').inputValue()).toBe('sepia-vintage');
    await expect(page.getByTestId('concept-teacher').getByTestId('prompt-note').innerText()).resolves.toContain('is not used');
    // The model manager opens from the concept step; nothing is installed, the built-ins still work.
    await page.getByTestId('manage-models').click();
    await poll(() => page.getByTestId('models-empty').count()).toBe(1);
    await page.getByTestId('manage-models').click();
    await poll(() => page.getByTestId('model-manager').count()).toBe(0);
    await poll(() => page.getByTestId('guide-step-concept').getAttribute('data-done')).toBe('true');
    await shot('03-concept');

    // Step 3, Pairs: the count defaults to every chosen photo; leaving one out lowers it.
    await page.getByTestId('guide-continue').click();
    await poll(() => page.getByTestId('guide-step-pairs').getAttribute('aria-current')).toBe('step');
    await expect(page.getByTestId('pair-count').inputValue()).resolves.toBe(String(SAMPLE_COUNT));
    const leftOut = (await readdir(SAMPLES)).filter((name) => name.endsWith('.jpg')).sort()[0]!;
    await page.getByTestId('photo-picker-summary').click();
    await page.getByLabel(`Use ${leftOut}`).uncheck();
    await expect(page.getByTestId('photo-picker-summary').innerText()).resolves.toBe(`Photos to use: ${PHOTO_COUNT} of ${SAMPLE_COUNT}`);
    await expect(page.getByTestId('pair-count').inputValue()).resolves.toBe(String(PHOTO_COUNT));
    await page.getByTestId('photo-picker-summary').click();
    await page.getByTestId('pair-count').fill('50');
    await expect(page.getByTestId('pair-count-note').innerText()).resolves.toBe(`Only ${PHOTO_COUNT} photos are chosen: ${PHOTO_COUNT} pairs will be made.`);
    await page.getByTestId('generate-pairs').click();
    const cards = page.getByTestId('pair-card');
    await poll(() => cards.count(), 120_000).toBe(PHOTO_COUNT);
    await poll(() => page.getByTestId('generation-progress').count(), 120_000).toBe(0);
    await poll(() => cards.locator('img').evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length)).toBe(PHOTO_COUNT * 2);
    expect(await cards.locator('.name').allInnerTexts()).not.toContain(leftOut.replace(/\.jpg$/, ''));
    expect(await aboveTheFold('pair-grid')).toBe(true);
    await shot('04-pairs');

    // Keyboard-only curation of the batch: focus the grid, R rejects, A accepts (each moves on), U undoes,
    // arrows move, F opens the full-size compare (before left, after right), Escape closes it.
    const status = (index: number) => cards.nth(index).getAttribute('data-status');
    await page.getByTestId('pair-grid').focus();
    await poll(() => cards.first().getAttribute('data-focused')).toBe('true');
    await page.keyboard.press('r');
    await poll(() => status(0)).toBe('rejected');
    await page.keyboard.press('a');
    await poll(() => status(1)).toBe('accepted');
    await page.keyboard.press('u');
    await poll(() => status(1)).toBe('pending');
    await poll(() => cards.nth(1).getAttribute('data-focused')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await poll(() => cards.nth(2).getAttribute('data-focused')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await poll(() => cards.nth(1).getAttribute('data-focused')).toBe('true');
    await page.keyboard.press('f');
    const compare = page.getByTestId('pair-compare');
    await poll(() => compare.isVisible()).toBe(true);
    const secondId = await cards.nth(1).getAttribute('data-pair-id');
    expect(await compare.getAttribute('data-pair-id')).toBe(secondId);
    const beforeBox = await compare.locator('img[alt$=": Before (full size)"]').boundingBox();
    const afterBox = await compare.locator('img[alt$=": After (full size)"]').boundingBox();
    expect(beforeBox!.x).toBeLessThan(afterBox!.x);
    expect(beforeBox!.width).toBeGreaterThan(400);
    await shot('05-compare');
    await page.keyboard.press('a');
    await poll(() => status(1)).toBe('accepted');
    await poll(() => compare.getAttribute('data-pair-id')).toBe(await cards.nth(2).getAttribute('data-pair-id'));
    await page.keyboard.press('Escape');
    await poll(() => compare.count()).toBe(0);
    // The rest of the batch, one key per pair in quick succession.
    for (let index = 2; index < PHOTO_COUNT; index += 1) await page.keyboard.press('a');
    await poll(() => page.getByTestId('pair-card').evaluateAll((all) => all.map((card) => card.getAttribute('data-status')))).toEqual([
      'rejected',
      ...Array<string>(PHOTO_COUNT - 1).fill('accepted'),
    ]);
    await poll(() => page.getByTestId('guide-step-pairs').getAttribute('data-done')).toBe('true');
    // The status filter shows one kind at a time.
    await page.getByTestId('filter-rejected').click();
    await poll(() => cards.count()).toBe(1);
    await page.getByTestId('filter-all').click();
    await poll(() => cards.count()).toBe(PHOTO_COUNT);
    await shot('06-curated');

    // Regenerating a pair remakes its target with a new seed (the card keeps its place and its status).
    const secondName = await cards.nth(1).locator('.name').innerText();
    const seedBefore = await cards.nth(1).getAttribute('data-seed');
    await page.getByRole('button', { name: `Regenerate ${secondName} with a new seed`, exact: true }).click();
    await poll(() => cards.nth(1).getAttribute('data-seed'), 120_000).not.toBe(seedBefore);
    await poll(() => cards.count()).toBe(PHOTO_COUNT);
    // A remade pair is to review again; "Accept all to review" decides it (and only it).
    await poll(() => cards.nth(1).getAttribute('data-status')).toBe('pending');
    await page.getByTestId('accept-all').click();
    await poll(() => cards.nth(1).getAttribute('data-status')).toBe('accepted');
    expect(await cards.first().getAttribute('data-status')).toBe('rejected');

    await page.getByText('Representative subset and importing pairs').click();
    await page.getByTestId('subset-count').fill(String(SUBSET));
    await page.getByTestId('subset-select').click();
    await poll(() => page.getByTestId('subset-kept').count()).toBe(SUBSET);
    await expect(page.getByTestId('subset-result').innerText()).resolves.toContain(`Kept ${SUBSET}, dropped ${PHOTO_COUNT - 1 - SUBSET}`);
    expect(await cards.first().getAttribute('data-in-subset')).not.toBe('true');

    // Step 4, Train: before starting, the plan names exactly what trains and what is held out.
    await showStep('train');
    const plan = page.getByTestId('training-plan');
    await poll(() => plan.getAttribute('data-train')).toBe(String(SUBSET - 1));
    expect(await plan.getAttribute('data-held-out')).toBe('1');
    await poll(() => page.locator('[data-testid="pair-card"][data-role="held-out"]').count()).toBe(1);
    const heldOutName = await page.locator('[data-testid="pair-card"][data-role="held-out"] .name').innerText();
    await expect(plan.innerText()).resolves.toContain(`Holds out 1 for previews and the held-out score: ${heldOutName}`);
    await expect(plan.innerText()).resolves.toMatch(/Leaves out \d+: .*\(rejected\)/);
    // Each preset says what it does; with no run measured yet the time is not guessed.
    await expect(page.getByTestId('preset-balanced').innerText()).resolves.toContain('1200 steps · 256 px · rank 8');
    await expect(page.getByTestId('preset-fast').getByTestId('preset-estimate').innerText()).resolves.toBe('time: measured by the first run');
    expect(await aboveTheFold('training-start')).toBe(true);
    await shot('07-train-plan');
    await page.getByLabel('Advanced settings').check();
    await page.getByTestId('advanced-steps').fill(String(STEPS));
    await page.getByTestId('advanced-size').fill('32');
    await page.getByTestId('training-start').click();
    const run = page.getByTestId('training-run');
    await poll(() => run.count()).toBe(1);
    await poll(() => run.getAttribute('data-state'), 240_000).toBe('done');
    expect(Number(await run.getAttribute('data-step'))).toBe(STEPS);
    // The first chart is quality: held-out PSNR against both baselines, values in the legend.
    const quality = page.getByTestId('quality-chart');
    await poll(() => quality.getAttribute('data-psnr-points').then(Number), 60_000).toBeGreaterThan(0);
    expect(await quality.locator('canvas').count()).toBeGreaterThan(0);
    for (const key of ['psnr', 'affine', 'identity']) await poll(() => page.getByTestId(`legend-${key}`).innerText()).toMatch(/^\d+\.\d\d dB$/);
    await poll(() => page.getByTestId('legend-l1').innerText()).toMatch(/^\d+\.\d{4}$/);
    const verdict = page.getByTestId('quality-verdict');
    await poll(() => verdict.getAttribute('data-kind')).not.toBe('unknown');
    expect(await verdict.innerText()).toMatch(/dB/);
    // GAN losses and gradient norms are one click away, with their newest values.
    expect(await page.getByTestId('loss-chart').isVisible()).toBe(false);
    await page.getByText('Details: GAN losses and gradient norms').click();
    await poll(() => page.getByTestId('loss-legend').innerText()).toMatch(/l1\s+\d+\.\d{4}/);
    // Now that a run measured this machine's speed, the presets carry an estimate.
    await poll(() => page.getByTestId('preset-fast').getByTestId('preset-estimate').innerText(), 30_000).toMatch(/^(about|roughly) .+ here$/);
    await shot('08-trained');

    // Step 5, Preview: large previews against the teacher, zoom to full size, neutral background.
    await page.getByTestId('guide-continue').click();
    await poll(() => page.getByTestId('guide-step-preview').getAttribute('aria-current')).toBe('step');
    const grid = page.getByTestId('preview-grid');
    await poll(() => grid.getAttribute('data-preview-count').then(Number), 60_000).toBeGreaterThan(1);
    const teacherImages = grid.locator('img[alt$=": teacher"]');
    await poll(() => teacherImages.count()).toBeGreaterThan(0);
    const pairTargets = await cards.locator('img[alt$=": After"]').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')));
    for (const src of await teacherImages.evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')))) expect(pairTargets).toContain(src);
    const previewBox = await grid.locator('figure').first().boundingBox();
    expect(previewBox!.width).toBeGreaterThanOrEqual(250);
    await page.getByTestId('preview-zoom').first().click();
    const zoom = page.getByTestId('preview-zoom-dialog');
    await poll(() => zoom.isVisible()).toBe(true);
    expect((await zoom.locator('.big').boundingBox())!.width).toBeGreaterThan(600);
    await shot('09-preview-zoom');
    await page.keyboard.press('Escape');
    await poll(() => zoom.count()).toBe(0);

    // Live preview: the newest checkpoint runs in onnxruntime-web (no WebGPU adapter here, so WASM).
    const live = page.getByTestId('live-preview');
    await poll(() => live.getAttribute('data-backend'), 120_000).toBe('wasm');
    await page.getByTestId('live-camera').click();
    await poll(() => live.getAttribute('data-frames').then(Number), 60_000).toBeGreaterThan(2);
    expect(await canvasVariance(page, 'live-output')).toBeGreaterThan(10);
    await expect(page.getByTestId('live-fps').innerText()).resolves.toMatch(/FPS/);
    await shot('10-preview');

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

    // Step 6, Export / Send: the readiness card carries the quality verdict; on loopback there is no QR code.
    await showStep('export');
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Export', exact: true }).click();
    await poll(() => page.getByTestId('export-row').count(), 240_000).toBe(1);
    const readiness = page.getByTestId('readiness-quality');
    await poll(() => readiness.count()).toBe(1);
    expect(await readiness.getAttribute('data-kind')).toBe(await verdict.getAttribute('data-kind'));
    await poll(() => page.getByTestId('guide-step-export').getAttribute('data-done')).toBe('true');
    await shot('11-export');
    await page.getByRole('button', { name: 'Send to phone' }).click();
    const share = page.getByTestId('share-dialog');
    await poll(() => share.isVisible()).toBe(true);
    const addresses = await server.services.share.addresses();
    if (addresses.length === 0) {
      expect(await share.getByTestId('share-qr').count()).toBe(0);
      await expect(share.getByTestId('share-no-qr').innerText()).resolves.toContain('no network address a phone can reach');
      await expect(share.getByTestId('share-warning').innerText()).resolves.toContain('127.0.0.1');
    } else {
      await poll(() => share.getByTestId('share-qr').locator('svg').isVisible()).toBe(true);
      // The code as Chromium drew it (a screenshot of the element) decodes to the URL shown next to it.
      expect(await decodeQr(await share.getByTestId('share-qr').screenshot())).toBe(await share.getByTestId('share-url').innerText());
    }
    await shot('12-send-to-phone');
    await share.getByRole('button', { name: 'Stop sharing' }).click();
    await poll(() => share.count()).toBe(0);

    await page.reload();
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => page.getByTestId('training-run').getAttribute('data-state')).toBe('done');
    await poll(() => page.getByTestId('quality-chart').getAttribute('data-psnr-points').then(Number)).toBeGreaterThan(0);
    await poll(() => page.getByTestId('pair-card').count()).toBe(PHOTO_COUNT);
    await poll(() => page.getByTestId('subset-kept').count()).toBe(SUBSET);
    // The reload comes back to the active concept, at the step a newcomer would be at.
    await poll(() => page.getByTestId('guide-step-export').getAttribute('aria-current')).toBe('step');
    expect(pageErrors).toEqual([]);
  });

  it('runs the live preview on WebGPU where an adapter exists (Chromium SwiftShader here)', async () => {
    const gpuBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] });
    try {
      const gpuPage = await gpuBrowser.newPage({ viewport: VIEWPORT });
      const errors: string[] = [];
      gpuPage.on('pageerror', (error) => errors.push(error.message));
      await gpuPage.goto(page.url());
      await gpuPage.getByTestId('guide-step-preview').click();
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
      await sharp(join(SAMPLES, name))
        .grayscale()
        .jpeg()
        .toFile(join(root, 'after', name));
    }
    // No "after" twin: reported as skipped, with the reason.
    await copyFile(join(SAMPLES, 'clock.jpg'), join(root, 'before', 'lonely.jpg'));
    const cards = page.getByTestId('pair-card');
    await showStep('pairs');
    const before = await cards.count();
    await page.getByText('Representative subset and importing pairs').click();
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
    await shot('13-paired-import');
  });

  it('keeps the renderer responsive while the worker trains, and pauses and resumes the extended run', async () => {
    const run = page.getByTestId('training-run');
    const startStep = Number(await run.getAttribute('data-step'));
    const live = page.getByTestId('live-preview');
    await showStep('preview');
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
    await showStep('train');
    await page.getByRole('button', { name: 'Extend' }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('running');
    // Back to the live preview while the steps run.
    await showStep('preview');
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
    await showStep('train');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('paused');
    const pausedAt = Number(await run.getAttribute('data-step'));
    await shot('14-paused');
    await page.getByTestId('training-resume').click();
    await showStep('preview');
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
    await shot('15-extended');
  });

  it('shows a run interrupted by closing the app and resumes it after the restart', async () => {
    await showStep('train');
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
    await showStep('train');
    await poll(() => run.getAttribute('data-run-id')).toBe(runId);
    await poll(() => run.getAttribute('data-state')).toBe('interrupted');
    const interruptedAt = Number(await run.getAttribute('data-step'));
    await shot('16-interrupted');

    await page.getByTestId('training-resume').click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('running');
    await poll(() => run.getAttribute('data-step').then(Number), 120_000).toBeGreaterThan(interruptedAt);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await poll(() => run.getAttribute('data-state'), 120_000).toBe('cancelled');
    // The earlier, finished run is still in the history.
    expect(await page.getByTestId('run-select').locator('option').count()).toBe(2);
    await shot('17-resumed-then-cancelled');
  });
});
