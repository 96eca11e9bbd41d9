/**
 * "Send to phone" draws what the model really computes. Chromium's fake camera plays a frame this test writes
 * (a Y4M file), the phone player runs each exported variant (fp32, fp16, int8) in onnxruntime-web as a phone
 * would, and its output canvas is compared with the same model file run by onnxruntime-node on the exact pixels
 * the player fed it (its input canvas): PSNR >= 40 dB on WASM, >= 30 dB on WebGPU (SwiftShader).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { chromium, devices, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generatorPreset, loraPlacement } from '../../native-models/e2gan/config';
import { initConceptTokens, initGeneratorWeights } from '../../native-models/e2gan/weights';
import { initLoraWeights, loraNames } from '../../native-models/e2gan/lora';
import { createImage } from '../../native-models/image/image';
import { exportBundle } from '../../native-models/export/exporter';
import { openSession, tensorFromValues } from '../../native-models/runtime/index';
import { loadOrCreateCertificate } from '../../electron/share/certificate';
import { startShareServer } from '../../electron/share/share-server';
import { locatePhonePlayer, phonePlayerFiles } from '../../electron/share/phone-player-files';
import type { TlsCertificate } from '../../electron/share/certificate';

const SIZE = 64;
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

let workDir: string;
let unpacked: string;
let zipPath: string;
let certificate: TlsCertificate;
let frame: Uint8Array; // RGB, SIZE x SIZE
let y4mPath: string;
const browsers: Browser[] = [];

/** A smooth, colourful frame (4:2:0 chroma subsampling barely touches it). */
function knownFrame(): Uint8Array {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = (y * SIZE + x) * 3;
      rgb[i] = Math.round(40 + (170 * x) / (SIZE - 1));
      rgb[i + 1] = Math.round(40 + (170 * y) / (SIZE - 1));
      rgb[i + 2] = Math.round(128 + 80 * Math.sin((x + y) / 12));
    }
  }
  return rgb;
}

/** One frame of YUV4MPEG2 4:2:0, BT.601 studio range (what Chromium's Y4M capture converts back with). */
function y4m(rgb: Uint8Array): Buffer {
  const plane = SIZE * SIZE;
  const half = SIZE / 2;
  const yuv = new Uint8Array(plane + 2 * half * half);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < plane; i++) {
    const [r, g, b] = [rgb[i * 3]! / 255, rgb[i * 3 + 1]! / 255, rgb[i * 3 + 2]! / 255];
    yuv[i] = clamp(16 + 65.481 * r + 128.553 * g + 24.966 * b);
  }
  for (let cy = 0; cy < half; cy++) {
    for (let cx = 0; cx < half; cx++) {
      let [u, v] = [0, 0];
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((cy * 2 + dy) * SIZE + cx * 2 + dx) * 3;
        const [r, g, b] = [rgb[i]! / 255, rgb[i + 1]! / 255, rgb[i + 2]! / 255];
        u += 128 - 37.797 * r - 74.203 * g + 112 * b;
        v += 128 + 112 * r - 93.786 * g - 18.214 * b;
      }
      yuv[plane + cy * half + cx] = clamp(u / 4);
      yuv[plane + half * half + cy * half + cx] = clamp(v / 4);
    }
  }
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${SIZE} H${SIZE} F30:1 Ip A1:1 C420jpeg\nFRAME\n`), Buffer.from(yuv)]);
}

/** PSNR in dB over the RGB channels of two RGBA (or RGB, `stride` 3) buffers. */
function psnr(a: ArrayLike<number>, aStride: number, b: ArrayLike<number>, bStride: number): number {
  let sum = 0;
  for (let p = 0; p < SIZE * SIZE; p++) {
    for (let c = 0; c < 3; c++) sum += (a[p * aStride + c]! - b[p * bStride + c]!) ** 2;
  }
  const mse = sum / (SIZE * SIZE * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

async function runInNode(modelPath: string, rgba: Uint8Array): Promise<Uint8Array> {
  const session = await openSession(modelPath);
  try {
    const [input] = session.inputNames;
    const out = await session.run({ [input!]: tensorFromValues('uint8', rgba, [1, SIZE, SIZE, 4]) });
    return Object.values(out)[0]!.data as Uint8Array;
  } finally {
    await session.release();
  }
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'e2gan-phone-fidelity-'));
  const config = generatorPreset('tiny', { height: SIZE, width: SIZE });
  const placement = loraPlacement(config, 2);
  const lora = initLoraWeights(config, placement, 2);
  // Non-zero LoRA B so the merged weights differ from the base (the export merges them for the phone).
  for (const p of placement) {
    const b = lora.get(loraNames(p.layer).b)!;
    for (let i = 0; i < b.length; i++) b[i] = 0.05 * Math.sin(i * 1.7 + 0.3);
  }
  const preview = createImage(SIZE, SIZE);
  frame = knownFrame();
  for (let i = 0; i < preview.data.length; i++) preview.data[i] = frame[i]! / 255;
  zipPath = join(workDir, 'bundle.zip');
  await exportBundle({
    config,
    base: initGeneratorWeights(config, 11),
    placement,
    lora,
    tokens: initConceptTokens(config, 3),
    concept: { id: 'fidelity', name: 'Fidelity check', prompt: 'anything' },
    baseModel: { id: 'random-tiny', sha256: '' },
    studioVersion: 'test',
    previewImages: [preview],
    precisions: ['fp16', 'int8'],
    outZip: zipPath,
    size: SIZE,
    latencyRuns: 1,
  });
  unpacked = join(workDir, 'unpacked');
  for (const [path, data] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) {
    mkdirSync(dirname(join(unpacked, path)), { recursive: true });
    writeFileSync(join(unpacked, path), data);
  }
  certificate = await loadOrCreateCertificate(join(workDir, 'tls'), ['127.0.0.1']);
  y4mPath = join(workDir, 'camera.y4m');
  await writeFile(y4mPath, y4m(frame));
  await mkdir(join(process.cwd(), 'test-results', 'e2e'), { recursive: true });
});

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface PlayerCapture {
  backend: string;
  input: Uint8Array;
  output: Uint8Array;
}

async function runPlayer(browser: Browser, modelFile: string): Promise<PlayerCapture> {
  const session = await startShareServer({
    host: '127.0.0.1',
    certificate,
    files: phonePlayerFiles(locatePhonePlayer(), { manifestPath: join(unpacked, 'manifest.json'), modelPath: join(unpacked, modelFile), zipPath }),
  });
  const context = await browser.newContext({ ...devices['Pixel 7'], ignoreHTTPSErrors: true, permissions: ['camera'] });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(session.url);
    await expect.poll(() => page.locator('#start').isEnabled(), { timeout: 120_000 }).toBe(true);
    await page.locator('#start').click();
    await expect.poll(async () => Number(await page.evaluate(() => document.body.dataset.frames ?? '0')), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    await page.locator('#start').click(); // stop: the canvases keep the last frame and its output
    await page.waitForTimeout(500);
    const captured = await page.evaluate(() => {
      const read = (id: string) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
      };
      return { backend: document.body.dataset.backend ?? '', input: read('input-canvas'), output: read('output-canvas') };
    });
    expect(errors).toEqual([]);
    return { backend: captured.backend, input: Uint8Array.from(captured.input), output: Uint8Array.from(captured.output) };
  } finally {
    await context.close();
    await session.stop();
  }
}

async function launch(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${y4mPath}`, ...extraArgs],
  });
  browsers.push(browser);
  return browser;
}

describe('phone player output matches onnxruntime-node on the same frame', () => {
  let wasmBrowser: Browser;
  beforeAll(async () => {
    wasmBrowser = await launch();
  });

  for (const modelFile of ['model.onnx', 'model.fp16.onnx', 'model.int8.onnx']) {
    test(`${modelFile} on WASM: PSNR >= 40 dB`, async () => {
      const capture = await runPlayer(wasmBrowser, modelFile);
      expect(capture.backend).toBe('wasm');
      // The camera showed the frame this test wrote (not Chromium's default test pattern).
      expect(psnr(capture.input, 4, frame, 3)).toBeGreaterThan(30);
      const expected = await runInNode(join(unpacked, modelFile), capture.input);
      const fidelity = psnr(capture.output, 4, expected, 4);
      console.log(`[phone fidelity] ${modelFile} wasm: ${fidelity.toFixed(1)} dB vs onnxruntime-node`);
      expect(fidelity).toBeGreaterThanOrEqual(40);
      // The model changes the picture, so matching the reference is not the same as echoing the camera.
      expect(psnr(capture.output, 4, capture.input, 4)).toBeLessThan(35);
    });
  }

  test('model.onnx on WebGPU (SwiftShader): PSNR >= 30 dB', async () => {
    const gpuBrowser = await launch(['--enable-unsafe-webgpu']);
    const capture = await runPlayer(gpuBrowser, 'model.onnx');
    expect(capture.backend).toBe('webgpu');
    const fidelity = psnr(capture.output, 4, await runInNode(join(unpacked, 'model.onnx'), capture.input), 4);
    console.log(`[phone fidelity] model.onnx webgpu: ${fidelity.toFixed(1)} dB vs onnxruntime-node`);
    expect(fidelity).toBeGreaterThanOrEqual(30);
  });
});
