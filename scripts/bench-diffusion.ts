/**
 * Diffusion pipeline benchmark: seconds per UNet step and per image, on a tiny random-weight InstructPix2Pix
 * fixture (always) and on a real diffusers ONNX export when E2GAN_TEST_IP2P_DIR points to one.
 *
 *   npm run bench:diffusion -- [--size 256] [--steps 4] [--channels 64] [--ep cpu|webgpu,cpu|auto] [--real-size 512] [--real-steps 10]
 *
 * The last line is `seconds_per_step=<x>`: the real model's figure when one was measured, else the fixture's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTinyPipeline } from '../native-models/diffusion/fixtures/tiny-pipeline';
import { loadDiffusionModel } from '../native-models/diffusion/loader';
import { generate } from '../native-models/diffusion/pipeline/generate';
import { createImage, type RgbImage } from '../native-models/image/image';
import { isExecutionProviderName, type ExecutionProviderName } from '../native-models/runtime/index';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256' },
    steps: { type: 'string', default: '4' },
    channels: { type: 'string', default: '64' },
    ep: { type: 'string', default: 'cpu' },
    'real-size': { type: 'string', default: '512' },
    'real-steps': { type: 'string', default: '10' },
  },
});

function providers(value: string): ExecutionProviderName[] | 'auto' {
  if (value === 'auto') return 'auto';
  const names = value.split(',');
  for (const name of names) if (!isExecutionProviderName(name)) throw new Error(`--ep: unknown provider '${name}'`);
  return names as ExecutionProviderName[];
}

function photo(size: number): RgbImage {
  const image = createImage(size, size);
  for (let i = 0; i < size * size; i++) {
    const x = i % size;
    const y = Math.floor(i / size);
    image.data[i * 3] = x / size;
    image.data[i * 3 + 1] = y / size;
    image.data[i * 3 + 2] = ((x >> 4) + (y >> 4)) % 2;
  }
  return image;
}

interface Measurement {
  label: string;
  secondsPerStep: number;
  secondsPerImage: number;
}

async function measure(label: string, dir: string, size: number, steps: number, ep: ExecutionProviderName[] | 'auto'): Promise<Measurement> {
  const loadStarted = performance.now();
  const model = await loadDiffusionModel(dir, { executionProviders: ep });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  try {
    const image = photo(size);
    // Warm-up run: first runs include ORT's kernel selection and memory-arena growth.
    await generate(model, { images: [image], prompt: 'make it snowy', steps: 1, strength: 1, seed: 0 });
    const result = await generate(model, { images: [image], prompt: 'make it snowy', steps, strength: 1, seed: 1 });
    const sorted = [...result.stepSeconds].sort((a, b) => a - b);
    const secondsPerStep = sorted[Math.floor(sorted.length / 2)]!;
    const rows = model.signatures.kind === 'instruct-pix2pix' ? 3 : 1;
    console.log(
      `${label}: ${model.signatures.kind} ${model.signatures.unet.sampleDtype} on ${model.executionProviders.unet}, ${size}x${size}, ${result.stepSeconds.length} steps x ${rows} UNet rows`,
    );
    console.log(`  load ${loadSeconds.toFixed(2)} s, median UNet step ${secondsPerStep.toFixed(4)} s, per image ${result.totalSeconds.toFixed(3)} s`);
    return { label, secondsPerStep, secondsPerImage: result.totalSeconds };
  } finally {
    await model.release();
  }
}

const ep = providers(values.ep!);
const fixtureDir = await mkdtemp(join(tmpdir(), 'e2gan-bench-diffusion-'));
const measurements: Measurement[] = [];
try {
  // Informational: the fp16 SD-Turbo-style img2img fixture (1 UNet row per step, Float16 feeds).
  const turboDir = join(fixtureDir, 'turbo');
  await writeTinyPipeline(turboDir, { kind: 'img2img', dtype: 'float16', unetChannels: Number(values.channels) });
  await measure('fixture img2img fp16', turboDir, Number(values.size), 2, ep);
  const ip2pDir = join(fixtureDir, 'ip2p');
  await writeTinyPipeline(ip2pDir, { kind: 'instruct-pix2pix', unetChannels: Number(values.channels) });
  measurements.push(await measure('fixture', ip2pDir, Number(values.size), Number(values.steps), ep));
} finally {
  await rm(fixtureDir, { recursive: true, force: true });
}
const realDir = process.env['E2GAN_TEST_IP2P_DIR'];
if (realDir) {
  measurements.push(await measure(`real (${realDir})`, realDir, Number(values['real-size']), Number(values['real-steps']), ep));
} else {
  console.log('real model: skipped (set E2GAN_TEST_IP2P_DIR to a diffusers ONNX InstructPix2Pix export)');
}
const headline = measurements[measurements.length - 1]!;
console.log(`seconds_per_image=${headline.secondsPerImage.toFixed(4)}`);
console.log(`seconds_per_step=${headline.secondsPerStep.toFixed(4)}`);
