import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { detectUnet, loadDiffusionModel, withDiffusionModel, type DiffusionModel } from '../../../native-models/diffusion/loader';
import { generate, type GenerationProgress } from '../../../native-models/diffusion/pipeline/generate';
import { combineInstructPix2PixGuidance, combineTextGuidance, guidanceScaleEmbedding } from '../../../native-models/diffusion/pipeline/guidance';
import { createImage, imagesToNchw, type RgbImage } from '../../../native-models/image/image';
import { tensorFromValues } from '../../../native-models/runtime/index';
import { SWIFTSHADER_ICD } from '../../support/test-environment';

function testImage(shift: number): RgbImage {
  const image = createImage(64, 64);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const i = (y * 64 + x) * 3;
      image.data[i] = ((x + shift) % 64) / 63;
      image.data[i + 1] = y / 63;
      image.data[i + 2] = ((x * y + shift) % 97) / 96;
    }
  }
  return image;
}

let root: string;
let ip2pDir: string;
let sdDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'e2gan-diffusion-'));
  ip2pDir = join(root, 'ip2p');
  sdDir = join(root, 'sd-turbo-fp16');
  await writeTinyPipeline(ip2pDir, { kind: 'instruct-pix2pix' });
  await writeTinyPipeline(sdDir, { kind: 'img2img', dtype: 'float16', timestepShape: 'single', idsDtype: 'int64', vaeEncoderOutput: 'sampled' });
});

describe('loader detection', () => {
  it('detects an InstructPix2Pix export from the UNet metadata', async () => {
    await withDiffusionModel(ip2pDir, {}, async (model) => {
      expect(model.signatures.kind).toBe('instruct-pix2pix');
      expect(model.signatures.unet).toMatchObject({
        inChannels: 8,
        latentChannels: 4,
        timestepDtype: 'int64',
        timestepShape: 'batch',
        sampleDtype: 'float32',
        fixedBatch: undefined,
      });
      expect(model.signatures.vaeEncoder).toMatchObject({ output: 'latent_parameters', latentKind: 'parameters' });
      expect(model.signatures.textEncoder.idsDtype).toBe('int32');
      expect(model.schedulerConfig.kind).toBe('euler-ancestral');
      expect(model.executionProviders.unet).toBe('cpu');
    });
  });

  it('detects an fp16 img2img export with a legacy sampled VAE latent', async () => {
    await withDiffusionModel(sdDir, {}, async (model) => {
      expect(model.signatures.kind).toBe('img2img');
      expect(model.signatures.unet).toMatchObject({ inChannels: 4, sampleDtype: 'float16', timestepDtype: 'float32', timestepShape: 'single' });
      expect(model.signatures.vaeEncoder).toMatchObject({ output: 'latent_sample', latentKind: 'sampled', inputDtype: 'float16' });
      expect(model.signatures.textEncoder.idsDtype).toBe('int64');
    });
  });

  it('reads timestep_cond, scalar timesteps and fixed batch sizes from metadata', () => {
    const sig = detectUnet(
      [
        { name: 'sample', isTensor: true, dtype: 'float16', shape: [2, 4, 64, 64] },
        { name: 'timestep', isTensor: true, dtype: 'float32', shape: [] },
        { name: 'encoder_hidden_states', isTensor: true, dtype: 'float16', shape: [2, 77, 768] },
        { name: 'timestep_cond', isTensor: true, dtype: 'float16', shape: [2, 256] },
      ],
      [{ name: 'out_sample', isTensor: true, dtype: 'float16', shape: [2, 4, 64, 64] }],
    );
    expect(sig).toMatchObject({ timestepShape: 'scalar', fixedBatch: 2, timestepCond: { input: 'timestep_cond', dim: 256, dtype: 'float16' } });
    expect(() =>
      detectUnet(
        [
          { name: 'sample', isTensor: true, dtype: 'float32', shape: ['b', 4, 'h', 'w'] },
          { name: 'timestep', isTensor: true, dtype: 'int64', shape: ['b'] },
          { name: 'encoder_hidden_states', isTensor: true, dtype: 'float32', shape: ['b', 77, 2048] },
          { name: 'text_embeds', isTensor: true, dtype: 'float32', shape: ['b', 1280] },
        ],
        [{ name: 'out_sample', isTensor: true, dtype: 'float32', shape: ['b', 4, 'h', 'w'] }],
        'x/unet/model.onnx',
      ),
    ).toThrow('x/unet/model.onnx: unsupported extra input(s) text_embeds (SDXL-style UNets are not supported)');
  });

  it('falls back to unet/config.json when channel counts are symbolic (Optimum exports)', () => {
    const inputs = [
      { name: 'sample', isTensor: true, dtype: 'float32', shape: ['batch_size', 'num_channels', 'height', 'width'] },
      { name: 'timestep', isTensor: true, dtype: 'int64', shape: ['steps'] },
      { name: 'encoder_hidden_states', isTensor: true, dtype: 'float32', shape: ['batch_size', 'sequence_length', 768] },
    ];
    const outputs = [{ name: 'out_sample', isTensor: true, dtype: 'float32', shape: ['batch_size', 'num_channels', 'height', 'width'] }];
    expect(detectUnet(inputs, outputs, 'u', { in_channels: 8, out_channels: 4 })).toMatchObject({ inChannels: 8, latentChannels: 4 });
    expect(() => detectUnet(inputs, outputs, 'u')).toThrow(
      `u: input 'sample' has no fixed channel count ([batch_size, num_channels, height, width]), unet/config.json gives no "in_channels" and model_index.json no "_class_name"`,
    );
    // Legacy diffusers exports: dynamic channels, no config; the pipeline class decides.
    expect(detectUnet(inputs, outputs, 'u', { pipelineClass: 'OnnxStableDiffusionInstructPix2PixPipeline' })).toMatchObject({
      inChannels: 8,
      latentChannels: 4,
    });
    expect(detectUnet(inputs, outputs, 'u', { pipelineClass: 'OnnxStableDiffusionImg2ImgPipeline' })).toMatchObject({ inChannels: 4, latentChannels: 4 });
  });

  it('probes the UNet when a legacy export hides its channel count and names the wrong pipeline class', async () => {
    const legacy = join(root, 'legacy-ip2p');
    // The generic legacy converter saves any SD-family UNet as an OnnxStableDiffusionPipeline.
    await writeTinyPipeline(legacy, { kind: 'instruct-pix2pix', symbolicChannels: true, pipelineClass: 'OnnxStableDiffusionPipeline' });
    await withDiffusionModel(legacy, {}, async (m) => {
      expect(m.signatures.unet).toMatchObject({ inChannels: 8, inChannelsGuessed: false });
      expect(m.signatures.kind).toBe('instruct-pix2pix');
    });
  });

  it('names the missing or mismatched file of a folder that does not fit', async () => {
    const missing = join(root, 'missing');
    await cp(ip2pDir, missing, { recursive: true });
    await rm(join(missing, 'vae_decoder', 'model.onnx'));
    await expect(loadDiffusionModel(missing)).rejects.toThrow(/missing vae_decoder\/model.onnx/);
    const mismatched = join(root, 'mismatched');
    await cp(ip2pDir, mismatched, { recursive: true });
    await copyFile(join(mismatched, 'vae_decoder', 'model.onnx'), join(mismatched, 'text_encoder', 'model.onnx'));
    await expect(loadDiffusionModel(mismatched)).rejects.toThrow(/text_encoder\/model.onnx: expected an input named input_ids, the model has latent_sample/);
  });
});

describe('guidance', () => {
  it('combines the three InstructPix2Pix branches', () => {
    const text = Float32Array.of(1, 2);
    const image = Float32Array.of(0.5, 1);
    const uncond = Float32Array.of(0, 0.5);
    // uncond + 7.5 (text - image) + 1.5 (image - uncond)
    expect(Array.from(combineInstructPix2PixGuidance(text, image, uncond, 7.5, 1.5))).toEqual([0 + 7.5 * 0.5 + 1.5 * 0.5, 0.5 + 7.5 * 1 + 1.5 * 0.5]);
    // Scales of 1 reduce to the fully conditioned prediction.
    expect(Array.from(combineInstructPix2PixGuidance(text, image, uncond, 1, 1))).toEqual([1, 2]);
    expect(Array.from(combineTextGuidance(text, uncond, 3))).toEqual([3, 5]);
  });

  it('embeds the guidance scale like diffusers (sin then cos halves)', () => {
    const e = guidanceScaleEmbedding(1, 8);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const f = guidanceScaleEmbedding(2, 4);
    expect(f[0]).toBeCloseTo(Math.sin(1000), 5);
    expect(f[1]).toBeCloseTo(Math.sin(1000 / 10000), 5);
    expect(f[3]).toBeCloseTo(Math.cos(1000 / 10000), 5);
  });
});

describe('pipelines on the tiny fixtures', () => {
  const photos = [testImage(0), testImage(17)];
  let model: DiffusionModel;

  it('InstructPix2Pix is reproducible per seed, batch-independent, reports progress', async () => {
    model = await loadDiffusionModel(ip2pDir);
    try {
      const progress: GenerationProgress[] = [];
      const batch = await generate(model, { images: photos, prompt: 'make it a cat', steps: 3, seed: 5, onProgress: (p) => progress.push(p) });
      expect(progress.map((p) => p.step)).toEqual([1, 2, 3]);
      expect(progress.map((p) => p.timestep)).toEqual([667, 334, 1]);
      expect(batch.images).toHaveLength(2);
      expect(batch.images[0]!.width).toBe(64);
      expect(batch.stepSeconds).toHaveLength(3);
      const again = await generate(model, { images: photos, prompt: 'make it a cat', steps: 3, seed: 5 });
      expect(Array.from(again.images[1]!.data)).toEqual(Array.from(batch.images[1]!.data));
      // Image 1 of the batch used seed 5 + 1: running it alone with seed 6 gives the same picture.
      const single = await generate(model, { images: [photos[1]!], prompt: 'make it a cat', steps: 3, seed: 6 });
      expect(Math.max(...single.images[0]!.data.map((v, i) => Math.abs(v - batch.images[1]!.data[i]!)))).toBeLessThan(1e-5);
      const otherSeed = await generate(model, { images: [photos[1]!], prompt: 'make it a cat', steps: 3, seed: 7 });
      expect(Array.from(otherSeed.images[0]!.data)).not.toEqual(Array.from(single.images[0]!.data));
      const otherPrompt = await generate(model, { images: [photos[1]!], prompt: 'the end of it', steps: 3, seed: 6 });
      expect(Array.from(otherPrompt.images[0]!.data)).not.toEqual(Array.from(single.images[0]!.data));
      const noGuidance = await generate(model, { images: [photos[1]!], prompt: 'make it a cat', steps: 3, seed: 6, guidanceScale: 1 });
      expect(Array.from(noGuidance.images[0]!.data)).not.toEqual(Array.from(single.images[0]!.data));
    } finally {
      await model.release();
    }
  });

  it('feeds the three InstructPix2Pix branches as (image + text), (image + no text), (nothing)', async () => {
    await withDiffusionModel(ip2pDir, {}, async (m) => {
      const calls: { sample: Float32Array; hidden: Float32Array; dims: readonly number[] }[] = [];
      const unet = m.sessions.unet;
      const run = unet.run.bind(unet);
      unet.run = async (feeds, outputs) => {
        calls.push({
          sample: feeds['sample']!.data as Float32Array,
          hidden: feeds['encoder_hidden_states']!.data as Float32Array,
          dims: feeds['sample']!.dims,
        });
        return run(feeds, outputs);
      };
      await generate(m, { images: [photos[0]!], prompt: 'make it a cat', steps: 1 });
      expect(calls).toHaveLength(1);
      const { sample, hidden, dims } = calls[0]!;
      expect(dims).toEqual([3, 8, 8, 8]);
      const rowSize = 8 * 64;
      const half = 4 * 64;
      const imagePart = (row: number) => Array.from(sample.subarray(row * rowSize + half, (row + 1) * rowSize));
      const hiddenRow = (row: number) => Array.from(hidden.subarray(row * 77 * 32, (row + 1) * 77 * 32));
      expect(imagePart(0).some((v) => v !== 0)).toBe(true);
      expect(imagePart(1)).toEqual(imagePart(0));
      expect(imagePart(2).every((v) => v === 0)).toBe(true);
      expect(hiddenRow(1)).toEqual(hiddenRow(2));
      expect(hiddenRow(0)).not.toEqual(hiddenRow(1));
      // Image latents are the VAE mean, unscaled (no 0.18215): run the encoder directly to compare.
      const pixels = imagesToNchw([photos[0]!]);
      const encoded = await m.sessions.vaeEncoder.run({ sample: tensorFromValues('float32', pixels.data, pixels.dims) });
      const mean = Array.from((encoded['latent_parameters']!.data as Float32Array).subarray(0, half));
      imagePart(0).forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 6));
      // The noisy-latent half is the same in all three rows.
      expect(Array.from(sample.subarray(rowSize, rowSize + half))).toEqual(Array.from(sample.subarray(0, half)));
    });
  });

  it('cancels within one step', async () => {
    model = await loadDiffusionModel(ip2pDir);
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      generate(model, {
        images: photos,
        prompt: 'x',
        steps: 5,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.step);
          controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError', message: 'generation cancelled' });
    expect(seen).toEqual([1]);
    await model.release();
    expect(model.sessions.unet.isReleased).toBe(true);
  });

  it('fp16 img2img runs the strength part of the schedule and releases its sessions', async () => {
    let captured: DiffusionModel | undefined;
    const result = await withDiffusionModel(sdDir, { executionProviders: ['cpu'] }, async (m) => {
      captured = m;
      const steps: number[] = [];
      const out = await generate(m, { images: photos, prompt: 'a cat', steps: 4, strength: 0.5, seed: 1, onProgress: (p) => steps.push(p.timestep) });
      // trailing spacing over 4 steps = 999, 749, 499, 249; strength 0.5 runs the last two.
      expect(steps).toEqual([499, 249]);
      const withCfg = await generate(m, { images: [photos[0]!], prompt: 'a cat', steps: 4, strength: 0.5, seed: 1, guidanceScale: 5 });
      expect(Array.from(withCfg.images[0]!.data)).not.toEqual(Array.from(out.images[0]!.data));
      return out;
    });
    expect(result.images).toHaveLength(2);
    expect(result.images[0]!.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(captured!.sessions.unet.isReleased).toBe(true);
    expect(captured!.sessions.textEncoder.isReleased).toBe(true);
  });

  it('runs an LCM img2img export, feeding the guidance scale as timestep_cond', async () => {
    const lcmDir = join(root, 'lcm');
    await writeTinyPipeline(lcmDir, {
      kind: 'img2img',
      timestepCondDim: 16,
      timestepDtype: 'int64',
      scheduler: {
        _class_name: 'LCMScheduler',
        num_train_timesteps: 1000,
        beta_start: 0.00085,
        beta_end: 0.012,
        beta_schedule: 'scaled_linear',
        timestep_spacing: 'leading',
      },
    });
    await withDiffusionModel(lcmDir, {}, async (m) => {
      expect(m.signatures.unet.timestepCond).toEqual({ input: 'timestep_cond', dim: 16, dtype: 'float32' });
      const timesteps: number[] = [];
      const a = await generate(m, {
        images: [photos[0]!],
        prompt: 'p',
        steps: 2,
        strength: 0.5,
        guidanceScale: 8,
        onProgress: (p) => timesteps.push(p.timestep),
      });
      // LCM img2img: 50 original steps x strength 0.5 = 25 candidates 499, 479, ..., 19; 2 steps take
      // indices floor(linspace(0, 25, 2, endpoint=False)) = 0, 12.
      expect(timesteps).toEqual([499, 259]);
      const b = await generate(m, { images: [photos[0]!], prompt: 'p', steps: 2, strength: 0.5, guidanceScale: 2 });
      expect(Array.from(a.images[0]!.data)).not.toEqual(Array.from(b.images[0]!.data));
    });
  });

  it('runs exports with a fixed batch size by chunking and padding, matching the dynamic export', async () => {
    const fixedDir = join(root, 'fixed');
    // Same weights as the ip2p fixture (same seed); batch fixed at 2 and a scalar float timestep instead.
    await writeTinyPipeline(fixedDir, { kind: 'instruct-pix2pix', fixedBatch: 2, timestepDtype: 'float32', timestepShape: 'scalar' });
    const fixed = await withDiffusionModel(fixedDir, {}, async (m) => {
      expect(m.signatures.unet).toMatchObject({ fixedBatch: 2, timestepShape: 'scalar', timestepDtype: 'float32' });
      // 3 guidance rows per image: one full chunk of 2 and one padded chunk.
      return generate(m, { images: [photos[0]!], prompt: 'x', steps: 2, seed: 4 });
    });
    const dynamic = await withDiffusionModel(ip2pDir, {}, (m) => generate(m, { images: [photos[0]!], prompt: 'x', steps: 2, seed: 4 }));
    expect(Math.max(...fixed.images[0]!.data.map((v, i) => Math.abs(v - dynamic.images[0]!.data[i]!)))).toBeLessThan(1e-4);
  });

  it('takes the first execution provider of the chain that opens and records each attempt', async () => {
    await withDiffusionModel(ip2pDir, { executionProviders: ['webgpu', 'cpu'] }, async (m) => {
      const attempts = m.sessions.unet.providerAttempts;
      expect(attempts[0]!.name).toBe('webgpu');
      // vitest.config.ts gives the workers Chromium's SwiftShader driver where it is installed: then webgpu
      // must open; on a machine without it webgpu must fail with a reason and cpu take over.
      if (existsSync(SWIFTSHADER_ICD)) {
        expect(attempts[0]!.ok).toBe(true);
        expect(m.executionProviders.unet).toBe('webgpu');
      } else {
        expect(attempts[0]!.ok).toBe(false);
        expect(attempts[0]!.error).toMatch(/\S/);
        expect(m.executionProviders.unet).toBe('cpu');
      }
      const out = await generate(m, { images: [photos[0]!], prompt: 'x', steps: 1 });
      expect(out.images[0]!.data.every(Number.isFinite)).toBe(true);
    });
  });

  it('rejects images whose size is not a multiple of 8', async () => {
    await withDiffusionModel(ip2pDir, {}, async (m) => {
      await expect(generate(m, { images: [createImage(60, 64)], prompt: 'x' })).rejects.toThrow(/60x64: width and height must be multiples of 8/);
    });
  });
});

const realDir = process.env['E2GAN_TEST_IP2P_DIR'];
describe.skipIf(!realDir)('real InstructPix2Pix export (E2GAN_TEST_IP2P_DIR)', () => {
  it('is detected as InstructPix2Pix and edits a photo', async () => {
    await withDiffusionModel(realDir!, {}, async (model) => {
      expect(model.signatures.kind).toBe('instruct-pix2pix');
      expect(model.signatures.unet.inChannels).toBe(8);
      const photo = createImage(256, 256);
      photo.data.forEach((_, i) => (photo.data[i] = ((i * 7) % 255) / 255));
      const result = await generate(model, { images: [photo], prompt: 'make it snowy', steps: 2, seed: 0 });
      expect(result.images[0]!.width).toBe(256);
      expect(result.images[0]!.data.every(Number.isFinite)).toBe(true);
    });
  }, 600_000);
});
