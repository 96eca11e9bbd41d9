/**
 * "Send to phone": a real exported bundle served by the real share server on 127.0.0.1 (HTTPS, token), opened
 * in Debian Chromium with a phone viewport and Chromium's fake camera. The player must load onnxruntime-web,
 * run the model on camera frames and draw processed frames. Screenshot in test-results/e2e/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { chromium, devices, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generatorPreset, loraPlacement, type GeneratorConfig, type LoraPlacement } from '../../native-models/e2gan/config';
import { initConceptTokens, initGeneratorWeights } from '../../native-models/e2gan/weights';
import { initLoraWeights, loraNames } from '../../native-models/e2gan/lora';
import { createImage } from '../../native-models/image/image';
import { exportBundle } from '../../native-models/export/exporter';
import { loadOrCreateCertificate } from '../../electron/share/certificate';
import { startShareServer, type ShareSession } from '../../electron/share/share-server';
import { locatePhonePlayer, phonePlayerFiles } from '../../electron/share/phone-player-files';

const ARTIFACTS = join(process.cwd(), 'test-results', 'e2e');

/** A fresh generator starts as the identity; non-zero LoRA B factors make the exported model change the picture. */
function trainedLookingLora(config: GeneratorConfig, placement: LoraPlacement[]): Map<string, Float32Array> {
  const lora = initLoraWeights(config, placement, 2);
  for (const p of placement) lora.get(loraNames(p.layer).b)!.forEach((_, i, b) => (b[i] = 0.05 * Math.sin(i * 1.7 + 0.3)));
  return lora;
}
let workDir: string;
let browser: Browser;
let session: ShareSession;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  workDir = await mkdtemp(join(tmpdir(), 'e2gan-phone-'));
  const config = generatorPreset('tiny', { height: 64, width: 64 });
  const placement = loraPlacement(config, 2);
  const zipPath = join(workDir, 'bundle.zip');
  const preview = createImage(64, 64, 0.5);
  await exportBundle({
    config,
    base: initGeneratorWeights(config, 1),
    placement,
    lora: trainedLookingLora(config, placement),
    tokens: initConceptTokens(config, 3),
    concept: { id: 'phone-test', name: 'Phone test concept', prompt: 'anything' },
    baseModel: { id: 'random-tiny', sha256: '' },
    studioVersion: 'test',
    previewImages: [preview],
    precisions: [],
    outZip: zipPath,
    size: 64,
    latencyRuns: 1,
  });
  const unpacked = join(workDir, 'unpacked');
  for (const [path, data] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) {
    mkdirSync(dirname(join(unpacked, path)), { recursive: true });
    writeFileSync(join(unpacked, path), data);
  }
  const certificate = await loadOrCreateCertificate(join(workDir, 'tls'), ['127.0.0.1']);
  session = await startShareServer({
    host: '127.0.0.1',
    certificate,
    files: phonePlayerFiles(locatePhonePlayer(), { manifestPath: join(unpacked, 'manifest.json'), modelPath: join(unpacked, 'model.onnx'), zipPath }),
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await session?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('phone player', () => {
  test('runs the exported model on the fake camera and draws processed frames', async () => {
    const context = await browser.newContext({ ...devices['Pixel 7'], ignoreHTTPSErrors: true, permissions: ['camera'] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(session.url);
    await expect.poll(() => page.locator('#concept-name').textContent(), { timeout: 30_000 }).toBe('Phone test concept');
    await expect.poll(() => page.locator('#start').isEnabled(), { timeout: 120_000 }).toBe(true);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.locator('#start').click();
    await expect.poll(async () => Number(await page.evaluate(() => document.body.dataset.frames ?? '0')), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    const backend = await page.evaluate(() => document.body.dataset.backend);
    // This browser runs without --enable-unsafe-webgpu, so navigator.gpu is absent and the player must pick wasm.
    expect(backend).toBe('wasm');
    // The output canvas holds model output: opaque, not blank, and different from the camera input.
    const stats = await page.evaluate(() => {
      const read = (id: string) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        return canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      };
      const out = read('output-canvas');
      const input = read('input-canvas');
      let min = 255,
        max = 0,
        diff = 0,
        opaque = true;
      for (let i = 0; i < out.length; i += 4) {
        for (let c = 0; c < 3; c++) {
          min = Math.min(min, out[i + c]!);
          max = Math.max(max, out[i + c]!);
          diff += Math.abs(out[i + c]! - input[i + c]!);
        }
        if (out[i + 3] !== 255) opaque = false;
      }
      return { min, max, meanDiff: diff / ((out.length / 4) * 3), opaque };
    });
    expect(stats.opaque).toBe(true);
    expect(stats.max - stats.min).toBeGreaterThan(10);
    expect(stats.meanDiff).toBeGreaterThan(1);
    await page.locator('#side-by-side').check();
    await page.screenshot({ path: join(ARTIFACTS, 'phone-player.png') });
    // The bundle download link works with the same token.
    const zip = await page.evaluate(async () => (await fetch('bundle.zip')).status);
    expect(zip).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });
});
