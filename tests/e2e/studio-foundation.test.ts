/**
 * The foundation journey in browser mode, against the real server, services, SQLite store and Debian Chromium:
 * create a project → drop two images and a corrupt one → two thumbnails + one skipped entry → reload → same.
 * Screenshots land in test-results/e2e/ (gitignored) as artifacts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Every wait has room for a slow shared CI machine (vitest's default poll timeout is one second). */
function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 30_000, interval: 100 });
}

interface DropFile {
  name: string;
  type: string;
  base64: string;
}

let dataDir: string;
let server: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'e2gan-e2e-'));
  server = await startWebServer({ dataDir, port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => console.error('[page error]', error));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error('[console]', message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) {
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-picked`, { recursive: true, force: true });
  }
});

async function makeDropFiles(): Promise<DropFile[]> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 220, g: 40, b: 40 } } })
    .png()
    .toBuffer();
  const jpeg = await sharp({ create: { width: 40, height: 60, channels: 3, background: { r: 30, g: 90, b: 200 } } })
    .jpeg()
    .toBuffer();
  // A JPEG header followed by garbage: it looks like an image by name and magic bytes but cannot be decoded.
  const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('not really a jpeg'.repeat(8))]);
  return [
    { name: 'red.png', type: 'image/png', base64: png.toString('base64') },
    { name: 'blue.jpg', type: 'image/jpeg', base64: jpeg.toString('base64') },
    { name: 'broken.jpg', type: 'image/jpeg', base64: corrupt.toString('base64') },
  ];
}

/** Dispatches dragenter/dragover/drop with a DataTransfer of real File objects, as a user's drop would. */
async function dropFiles(target: Page, files: DropFile[]): Promise<void> {
  await target.getByTestId('drop-zone').evaluate((zone, payload) => {
    const transfer = new DataTransfer();
    for (const { name, type, base64 } of payload) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type }));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, files);
}

/** Records every label the import progress row shows, however briefly (imports of tiny files are fast). */
async function recordProgressLabels(target: Page): Promise<void> {
  await target.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressLabels: string[] }).progressLabels = seen;
    new MutationObserver(() => {
      const label = document.querySelector('[data-testid="import-progress-label"]')?.textContent;
      if (label && seen[seen.length - 1] !== label) seen.push(label);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function recordLayoutShifts(target: Page): Promise<void> {
  await target.evaluate(() => {
    type Shift = PerformanceEntry & { value: number; sources?: { node?: Node | null }[] };
    const shifts: { value: number; nodes: string[] }[] = [];
    (window as unknown as { layoutShifts: typeof shifts }).layoutShifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Shift[]) {
        const nodes = (entry.sources ?? []).map((source) => {
          const node = source.node as Element | null | undefined;
          return node ? `${node.nodeName}.${node.className}` : '?';
        });
        shifts.push({ value: entry.value, nodes });
      }
    }).observe({ type: 'layout-shift' });
  });
}

async function expectImportedState(target: Page): Promise<void> {
  const thumbnails = target.getByTestId('thumbnail');
  await poll(() => thumbnails.count()).toBe(2);
  // The thumbnails really load from the blob route (not just placeholders).
  await poll(() => thumbnails.locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(2);
  const names = await thumbnails.locator('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')).sort());
  expect(names).toEqual(['blue.jpg', 'red.png']);

  const skipped = target.getByTestId('skipped-entry');
  await poll(() => skipped.count()).toBe(1);
  const text = (await skipped.first().innerText()).toLowerCase();
  expect(text).toContain('broken.jpg');
  // A reason is shown after the name, not just the file name.
  expect(text.split('broken.jpg')[1]!.replace(/[—\s-]/g, '').length).toBeGreaterThan(3);
}

describe('studio foundation in browser mode', () => {
  it('creates a project, imports dropped images, lists the corrupt one as skipped, and keeps it all after reload', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => page.getByTestId('projects-empty').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, '01-empty-project-list.png') });

    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('dialog').getByLabel('Project name').fill('Watercolor effect');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Watercolor effect');
    await poll(() => page.getByTestId('images-empty').isVisible()).toBe(true);
    expect(await page.title()).toBe('Watercolor effect — E2GAN Studio');
    await page.screenshot({ path: join(ARTIFACTS, '02-new-project.png') });

    // The concept is step 2 of the guided flow; photos are step 1.
    await page.getByTestId('guide-step-concept').click();
    await page.getByRole('button', { name: 'New concept' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Watercolor');
    await page
      .getByRole('dialog')
      .getByLabel(/Edit prompt/)
      .fill('make it a watercolor painting');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('concept-row').count()).toBe(1);
    await page.getByTestId('guide-step-photos').click();

    await recordProgressLabels(page);
    await recordLayoutShifts(page);
    await dropFiles(page, await makeDropFiles());
    await expectImportedState(page);
    await page.screenshot({ path: join(ARTIFACTS, '03-imported.png') });
    // Chromium's Layout Instability API: progress, thumbnails and the skipped report appear without moving
    // anything already on screen.
    const shifts = await page.evaluate(() => (window as unknown as { layoutShifts: { value: number; nodes: string[] }[] }).layoutShifts);
    const total = shifts.reduce((sum, shift) => sum + shift.value, 0);
    expect(total, `layout shifts: ${JSON.stringify(shifts)}`).toBeLessThan(0.001);
    // Fixed cells: every thumbnail has the same box whatever the image's aspect ratio.
    const boxes = await page
      .getByTestId('thumbnail')
      .evaluateAll((cells) => cells.map((cell) => `${cell.getBoundingClientRect().width}x${cell.getBoundingClientRect().height}`));
    expect(new Set(boxes).size).toBe(1);
    // The bar was driven by the import job's own progress events ("N of M: name"), then made room again.
    const labels = await page.evaluate(() => (window as unknown as { progressLabels: string[] }).progressLabels);
    expect(
      labels.some((label) => /^\d+ of 3: /.test(label)),
      `labels seen: ${JSON.stringify(labels)}`,
    ).toBe(true);
    await poll(() => page.getByTestId('import-progress').count()).toBe(0);

    await page.reload();
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await page.getByTestId('guide-step-photos').click();
    await expectImportedState(page);
    expect(await page.getByTestId('concept-row').first().innerText()).toContain('make it a watercolor painting');
    await page.screenshot({ path: join(ARTIFACTS, '04-after-reload.png') });

    // The viewer shows the full-size original; arrows step through the photos, Escape closes it.
    await page.getByRole('button', { name: 'View red.png' }).click();
    const viewer = page.getByTestId('photo-viewer');
    const shown = () =>
      viewer
        .locator('img')
        .evaluate((img) => `${img.getAttribute('alt')} ${(img as HTMLImageElement).naturalWidth}x${(img as HTMLImageElement).naturalHeight}`);
    await poll(shown).toBe('red.png 64x48');
    await page.screenshot({ path: join(ARTIFACTS, '04b-viewer.png') });
    await page.keyboard.press('ArrowRight');
    await poll(shown).toBe('blue.jpg 40x60');
    await page.keyboard.press('ArrowRight');
    await poll(shown).toBe('red.png 64x48');
    await page.keyboard.press('Escape');
    await poll(() => viewer.isVisible()).toBe(false);

    // The "Add photos…" picker takes the same path; a photo already in the project is reported, not re-added.
    const [red] = await makeDropFiles();
    await page.getByTestId('file-input').setInputFiles({
      name: 'red-again.png',
      mimeType: 'image/png',
      buffer: Buffer.from(red!.base64, 'base64'),
    });
    await poll(() => page.getByTestId('skipped-entry').allInnerTexts()).toEqual([expect.stringMatching(/red-again\.png.*already in this project/)]);
    expect(await page.getByTestId('thumbnail').count()).toBe(2);

    await page.getByRole('button', { name: 'Back to projects' }).click();
    const row = page.getByTestId('project-row');
    await poll(() => row.count()).toBe(1);
    expect(await row.first().innerText()).toContain('2 photos');
  });

  it('imports a whole folder from the "Add folder…" picker and edits a concept', async () => {
    const folder = join(`${dataDir}-picked`, 'trip');
    await mkdir(join(folder, 'day2'), { recursive: true });
    await sharp({ create: { width: 30, height: 30, channels: 3, background: { r: 10, g: 200, b: 10 } } })
      .png()
      .toFile(join(folder, 'green.png'));
    await sharp({ create: { width: 30, height: 20, channels: 3, background: { r: 200, g: 200, b: 10 } } })
      .jpeg()
      .toFile(join(folder, 'day2', 'yellow.jpg'));
    await writeFile(join(folder, 'notes.txt'), 'packing list');

    await page.goto(server.url);
    await page
      .getByTestId('project-row')
      .getByRole('button', { name: /^Watercolor effect/ })
      .click();
    await poll(() => page.getByTestId('thumbnail').count()).toBe(2);
    await page.getByTestId('folder-input').setInputFiles(folder);
    await poll(() => page.getByTestId('thumbnail').count()).toBe(4);
    const names = await page
      .getByTestId('thumbnail')
      .locator('img')
      .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
    expect(names).toEqual(expect.arrayContaining(['trip/green.png', 'trip/day2/yellow.jpg']));
    await poll(() => page.getByTestId('skipped-entry').allInnerTexts()).toEqual([expect.stringContaining('trip/notes.txt')]);

    await page.getByTestId('guide-step-concept').click();
    await page.getByRole('button', { name: 'Edit Watercolor' }).click();
    await page
      .getByRole('dialog')
      .getByLabel(/Edit prompt/)
      .fill('soft watercolor, paper texture');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('concept-row').innerText()).toContain('soft watercolor, paper texture');
    await page.reload();
    await poll(() => page.getByTestId('concept-row').innerText()).toContain('soft watercolor, paper texture');
    await page.screenshot({ path: join(ARTIFACTS, '05-folder-imported.png') });
  });

  it('shows the lost connection in the status bar and recovers when the server is back', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => page.getByTestId('project-row').count()).toBe(1);

    const { port, token } = server;
    await server.close();
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('reconnecting');
    await page.screenshot({ path: join(ARTIFACTS, '06-reconnecting.png') });

    // Same port, token and data folder: what a restarted `npm run web --port` gives the open tab.
    server = await startWebServer({ dataDir, port, token });
    // A change made while the tab was away must show up once it reconnects (events sent meanwhile are lost).
    server.services.projects.create({ name: 'Made while away' });
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected');
    await poll(() => page.getByTestId('project-row').count()).toBe(2);
    const rows = await page.getByTestId('project-row').allInnerTexts();
    expect(rows.some((row) => row.includes('Made while away'))).toBe(true);
    expect(rows.some((row) => row.includes('Watercolor effect'))).toBe(true);
    server.services.projects.delete({ projectId: server.services.projects.list().find((p) => p.name === 'Made while away')!.id });
    await poll(() => page.getByTestId('project-row').count()).toBe(1);
  });

  it('can be driven from the keyboard alone, with a visible focus ring', async () => {
    await page.goto(server.url);
    await poll(() => page.getByTestId('project-row').count()).toBe(1);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return {
          text: element?.innerText?.trim() ?? '',
          tag: element?.tagName ?? '',
          inDialog: Boolean(element?.closest('dialog[open]')),
          outline: element ? getComputedStyle(element).outlineStyle : 'none',
        };
      });

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'New project', outline: 'solid' });
    await page.keyboard.press('Enter');
    await poll(focused).toMatchObject({ tag: 'INPUT', inDialog: true });
    await page.keyboard.type('Keyboard project');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('project-title').innerText()).toBe('Keyboard project');

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: '← Projects', outline: 'solid' });
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('project-row').count()).toBe(2);
    server.services.projects.delete({ projectId: server.services.projects.list().find((p) => p.name === 'Keyboard project')!.id });
    await poll(() => page.getByTestId('project-row').count()).toBe(1);
  });

  it('renames with the keyboard and deletes only after confirming', async () => {
    await page.goto(server.url);
    const row = page.getByTestId('project-row');
    await poll(() => row.count()).toBe(1);

    await page.getByRole('button', { name: 'Rename Watercolor effect' }).click();
    await page.getByRole('dialog').getByLabel('Project name').fill('Ink effect');
    await page.keyboard.press('Enter');
    await poll(() => row.first().innerText()).toContain('Ink effect');

    // Escape cancels the confirmation: nothing is deleted.
    await page.getByRole('button', { name: 'Delete Ink effect' }).click();
    await poll(() => page.getByRole('dialog').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, '07-delete-confirm.png') });
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await row.count()).toBe(1);

    await page.getByRole('button', { name: 'Delete Ink effect' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await poll(() => page.getByTestId('projects-empty').isVisible()).toBe(true);

    await page.reload();
    await poll(() => page.getByTestId('projects-empty').isVisible()).toBe(true);
  });
});
