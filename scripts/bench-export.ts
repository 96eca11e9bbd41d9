/**
 * npm run bench:export — exports a 256x256 concept bundle and prints, per precision variant, the model size,
 * PSNR against the fp32 model on the sample photos, and single-image CPU latency (onnxruntime-node, this
 * machine). Weights: the shipped base model when present, else a deterministic random init of the same
 * architecture (sizes and latency do not depend on weight values). Last line: fp16_latency_ms=<x>.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatorPreset, loraPlacement, type WidthPreset } from '../native-models/e2gan/config';
import { initConceptTokens, initGeneratorWeights } from '../native-models/e2gan/weights';
import { initLoraWeights, loraNames } from '../native-models/e2gan/lora';
import { readImage } from '../native-models/image/io';
import { createRng } from '../native-models/util/rng';
import { exportBundle } from '../native-models/export/exporter';

const { values } = parseArgs({
  options: { preset: { type: 'string', default: 'base' }, size: { type: 'string', default: '256' }, runs: { type: 'string', default: '10' } },
});
const size = Number(values.size);
const config = generatorPreset(values.preset as WidthPreset, { height: size, width: size });
const base = initGeneratorWeights(config, 1);
const placement = loraPlacement(config, 8);
const lora = initLoraWeights(config, placement, 2);
const rng = createRng(3);
for (const p of placement) lora.get(loraNames(p.layer).b)!.forEach((_, i, arr) => (arr[i] = rng.normal() * 0.02));
const samplesDir = join(import.meta.dirname, '..', 'resources', 'samples');
const photos = readdirSync(samplesDir)
  .filter((f) => f.endsWith('.jpg'))
  .slice(0, 4);
const previewImages = await Promise.all(photos.map((f) => readImage(join(samplesDir, f))));

const started = performance.now();
const result = await exportBundle({
  config,
  base,
  placement,
  lora,
  tokens: initConceptTokens(config, 4),
  concept: { id: 'bench', name: 'Benchmark concept', prompt: 'random LoRA' },
  baseModel: { id: `random-${values.preset}`, sha256: '' },
  studioVersion: 'bench',
  previewImages,
  outZip: join(mkdtempSync(join(tmpdir(), 'bench-export-')), 'bench.zip'),
  latencyRuns: Number(values.runs),
});
const seconds = (performance.now() - started) / 1000;
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log(
  `generator: preset ${values.preset}, ${size}x${size}, ${result.manifest.parameters.toLocaleString('en-US')} params, ${(result.manifest.macs / 1e9).toFixed(2)} GMACs, LoRA ${result.manifest.loraParameters.toLocaleString('en-US')} params`,
);
console.log('precision  onnx_MB  ort_MB  psnr_vs_fp32_dB  cpu_latency_ms');
for (const v of result.manifest.variants) {
  console.log(
    `${v.precision.padEnd(9)}  ${(v.bytes / 1048576).toFixed(2).padStart(7)}  ${(v.ortBytes / 1048576).toFixed(2).padStart(6)}  ${(v.psnrVsFp32 === null ? '—' : v.psnrVsFp32.toFixed(1)).padStart(15)}  ${v.cpuLatencyMs.toFixed(1).padStart(14)}`,
  );
}
for (const warning of result.warnings) console.log(`warning: ${warning}`);
console.log(`export_seconds=${seconds.toFixed(1)}`);
console.log(`fp16_latency_ms=${result.manifest.variants.find((v) => v.precision === 'fp16')!.cpuLatencyMs.toFixed(1)}`);
