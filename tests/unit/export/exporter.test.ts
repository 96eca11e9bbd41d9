import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { generatorPreset, loraPlacement } from '../../../native-models/e2gan/config';
import { initConceptTokens, initGeneratorWeights } from '../../../native-models/e2gan/weights';
import { initLoraWeights, loraNames } from '../../../native-models/e2gan/lora';
import { loadConceptDelta } from '../../../native-models/e2gan/concept';
import { createImage } from '../../../native-models/image/image';
import { createRng } from '../../../native-models/util/rng';
import { exportBundle, rgbaPsnr, toRgba, verifyBundleDir, FIDELITY_RELATIVE_TOLERANCE } from '../../../native-models/export/exporter';
import { openSession, createTensor } from '../../../native-models/runtime';
import type { BundleManifest } from '../../../native-models/export/manifest';

function texturedImage(width: number, height: number, seed: number) {
  const image = createImage(width, height);
  const rng = createRng(seed);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      image.data[i] = 0.5 + 0.4 * Math.sin(x / 3 + seed);
      image.data[i + 1] = y / height;
      image.data[i + 2] = rng.next();
    }
  }
  return image;
}

describe('exportBundle', () => {
  test('writes a bundle whose models load in onnxruntime and match each other and the manifest', async () => {
    const config = generatorPreset('tiny', { height: 32, width: 32 });
    const base = initGeneratorWeights(config, 3);
    const placement = loraPlacement(config, 4);
    // B starts at zero; make it non-zero so the merge really changes the weights.
    const lora = initLoraWeights(config, placement, 5);
    const rng = createRng(9);
    for (const p of placement) lora.get(loraNames(p.layer).b)!.forEach((_, i, arr) => (arr[i] = rng.normal() * 0.05));
    const dir = mkdtempSync(join(tmpdir(), 'export-test-'));
    const outZip = join(dir, 'bundle.zip');
    const stages: string[] = [];
    const result = await exportBundle({
      config,
      base,
      placement,
      lora,
      tokens: initConceptTokens(config, 4),
      concept: { id: 'c1', name: 'Test concept', prompt: 'make it wavy' },
      baseModel: { id: 'random-tiny', sha256: '0'.repeat(64) },
      studioVersion: '0.1.0',
      previewImages: [texturedImage(40, 36, 1), texturedImage(32, 32, 2)],
      outZip,
      size: 32,
      latencyRuns: 2,
      onProgress: (stage) => stages.push(stage),
    });
    expect(stages.at(-1)).toBe('done');
    const manifest = result.manifest;
    expect(manifest.fidelity.maxAbsDiffVsTrainingGraph).toBeLessThanOrEqual(manifest.fidelity.tolerance);
    expect(manifest.fidelity.tolerance).toBe(FIDELITY_RELATIVE_TOLERANCE * Math.max(1, manifest.fidelity.outputScale!));
    expect(manifest.variants.map((v) => v.precision)).toEqual(['fp32', 'fp16', 'int8']);
    expect(manifest.input).toMatchObject({ name: 'image', dtype: 'uint8', height: 32, width: 32 });
    expect(manifest.operators).toContain('Conv');
    expect(manifest.operators).not.toContain('Sign');

    // Unzip and verify checksums.
    const unpacked = join(dir, 'unpacked');
    for (const [path, data] of Object.entries(unzipSync(new Uint8Array(readFileSync(outZip))))) {
      mkdirSync(dirname(join(unpacked, path)), { recursive: true });
      writeFileSync(join(unpacked, path), data);
    }
    expect(await verifyBundleDir(unpacked)).toEqual({ ok: true, problems: [] });
    const onDisk = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as BundleManifest;
    expect(onDisk.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'model.onnx',
        'model.ort',
        'model.fp16.onnx',
        'model.fp16.ort',
        'model.int8.onnx',
        'model.int8.ort',
        'concept.lora.safetensors',
        'README.md',
        'required_operators.config',
        'preview/before-1.jpg',
        'preview/after-2.jpg',
      ]),
    );
    expect(readFileSync(join(unpacked, 'README.md'), 'utf8')).toContain('onnxruntime-objc');

    // The .onnx and .ort files give the same pixels; fp16 stays close to fp32.
    const pixels = toRgba(texturedImage(32, 32, 7));
    const outputs: Record<string, Uint8Array> = {};
    for (const file of ['model.onnx', 'model.ort', 'model.fp16.onnx', 'model.fp16.ort', 'model.int8.onnx', 'model.int8.ort']) {
      const session = await openSession(join(unpacked, file), { executionProviders: ['cpu'], logSeverityLevel: 3 });
      const out = await session.run({ image: createTensor('uint8', pixels, [1, 32, 32, 4]) });
      outputs[file] = new Uint8Array(out.styled!.data as Uint8Array);
      await session.release();
    }
    expect(rgbaPsnr(outputs['model.ort']!, outputs['model.onnx']!)).toBeGreaterThan(50);
    expect(rgbaPsnr(outputs['model.fp16.ort']!, outputs['model.fp16.onnx']!)).toBeGreaterThan(50);
    expect(rgbaPsnr(outputs['model.fp16.onnx']!, outputs['model.onnx']!)).toBeGreaterThan(40);
    expect(rgbaPsnr(outputs['model.int8.onnx']!, outputs['model.onnx']!)).toBeGreaterThan(25);
    expect(manifest.variants[1]!.psnrVsFp32).toBeGreaterThan(40);
    expect(manifest.variants[2]!.bytes).toBeLessThan(manifest.variants[0]!.bytes / 2);

    // The LoRA-only delta round-trips.
    const delta = await loadConceptDelta(join(unpacked, 'concept.lora.safetensors'));
    expect(delta.placement).toEqual(placement);
    expect(delta.info?.concept_name).toBe('Test concept');
  });

  test('exports at a size other than the training size (the generator is fully convolutional); a size off the stride is refused', async () => {
    const config = generatorPreset('tiny', { height: 16, width: 16 });
    const common = {
      config,
      base: initGeneratorWeights(config, 1),
      placement: [],
      lora: new Map(),
      tokens: initConceptTokens(config, 1),
      concept: { id: 'c', name: 'c', prompt: '' },
      baseModel: { id: 'b', sha256: '' },
      studioVersion: '0',
      previewImages: [texturedImage(40, 40, 3)],
      precisions: [] as const,
      latencyRuns: 1,
    };
    const dir = mkdtempSync(join(tmpdir(), 'export-size-'));
    const result = await exportBundle({ ...common, size: 40, outZip: join(dir, 'b.zip') });
    expect(result.manifest.input).toMatchObject({ height: 40, width: 40 });
    await expect(exportBundle({ ...common, size: 36, outZip: join(dir, 'c.zip') })).rejects.toThrow(/size 36 must be a positive multiple of 8/);
  });

  test('rejects a request without preview images', async () => {
    const config = generatorPreset('tiny', { height: 16, width: 16 });
    await expect(
      exportBundle({
        config,
        base: initGeneratorWeights(config, 1),
        placement: [],
        lora: new Map(),
        tokens: initConceptTokens(config, 1),
        concept: { id: 'c', name: 'c', prompt: '' },
        baseModel: { id: 'b', sha256: '' },
        studioVersion: '0',
        previewImages: [],
        outZip: join(tmpdir(), 'never.zip'),
      }),
    ).rejects.toThrow(/preview image/);
  });
});
