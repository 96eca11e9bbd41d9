/**
 * The exporter's fidelity check: the exported (merged) graph against the training graph's forward. A correct merge
 * differs only by float32 rounding, which grows with the weights and activations: a diverged high-learning-rate
 * run's correct merge is over the old fixed 1e-4 and must still export. Broken merges (scale off by 2x, B·A
 * transposed, LoRA dropped, another concept's tokens) must be refused, naming the difference and the bound.
 * Runs are trained here as the studio trains them: the shipped base, flat-colour pairs, a few steps.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorLayers, type GeneratorConfig } from '../../../native-models/e2gan/config';
import { loraNames, loraScale, mergeLora } from '../../../native-models/e2gan/lora';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';
import { DEFAULT_SETTINGS, fineTune, type NamedPair } from '../../../native-models/e2gan/trainer';
import { loadBaseModel } from '../../../native-models/e2gan/weights';
import {
  checkExportFidelity,
  exportBundle,
  ExportFidelityError,
  FIDELITY_RELATIVE_TOLERANCE,
  type ExportedForm,
  type TrainingForm,
} from '../../../native-models/export/exporter';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { readImage } from '../../../native-models/image/io';
import { resizeCover } from '../../../native-models/image/transform';
import { ComputeClient } from '../../../native-models/runtime';

const SIZE = 64;
/** The exporter's bound before it became relative to the output scale. */
const OLD_FIXED_TOLERANCE = 1e-4;

function flat(hex: string, size: number): RgbImage {
  const image = createImage(size, size);
  const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) image.data[p * 3 + c] = rgb[c]!;
  return image;
}

interface TrainedRun {
  config: GeneratorConfig;
  training: TrainingForm;
}

const basePath = findShippedBase()!.weights;
let base: Map<string, Float32Array>;
let otherConceptTokens: Float32Array;
let previews: RgbImage[];
/** lr 2e-3, 4 steps: the LoRA has barely moved, so broken merges change the least. */
let weak: TrainedRun;
/** lr 1, 10 steps: diverged, outputs in the hundreds, float32 rounding of a correct merge far over 1e-4. */
let diverged: TrainedRun;

async function train(compute: ComputeClient, learningRate: number, steps: number): Promise<TrainedRun> {
  const pairs: NamedPair[] = ['#336699', '#669933', '#993366'].map((colour, i) => ({ name: `p${i}`, input: flat(colour, 32), target: flat('#aa7744', 32) }));
  const { steps: _steps, ...defaults } = DEFAULT_SETTINGS;
  const result = await fineTune({
    pairs,
    compute,
    previews: false,
    settings: { ...defaults, base: basePath, size: 32, steps, ranks: 2, learningRate, warmupSteps: 0, checkpointEvery: steps, previewEvery: steps, heldOut: 1 },
  });
  if (result.model?.kind !== 'concept') throw new Error(`expected a LoRA concept, got ${result.model?.kind}`);
  const { delta } = result.model;
  return {
    config: { ...delta.generatorConfig, height: SIZE, width: SIZE },
    training: { base, placement: delta.placement, lora: delta.lora, tokens: delta.tokens },
  };
}

beforeAll(async () => {
  const model = await loadBaseModel(basePath);
  base = model.generator;
  otherConceptTokens = [...model.conceptTokens!.values()][0]!;
  const samples = join(import.meta.dirname, '..', '..', '..', 'resources', 'samples');
  const photos = readdirSync(samples)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .slice(0, 2);
  previews = [flat('#336699', SIZE), ...(await Promise.all(photos.map(async (name) => resizeCover(await readImage(join(samples, name)), SIZE, SIZE))))];
  const compute = ComputeClient.start();
  try {
    weak = await train(compute, 2e-3, 4);
    diverged = await train(compute, 1, 10);
  } finally {
    await compute.terminate();
  }
}, 120_000);

function correctMerge(run: TrainedRun): ExportedForm {
  return { weights: mergeLora(run.config, run.training.base, run.training.placement, run.training.lora), tokens: run.training.tokens };
}

/** Every LoRA delta s·B·A computed right but written into W0 transposed (a layout bug; same numbers, wrong places). */
function transposedMerge(run: TrainedRun): ExportedForm {
  const layers = new Map(generatorLayers(run.config).map((layer) => [layer.name, layer]));
  const weights = new Map(run.training.base);
  for (const p of run.training.placement) {
    const layer = layers.get(p.layer)!;
    const w0 = run.training.base.get(p.weight)!;
    const a = run.training.lora.get(loraNames(p.layer).a)!;
    const b = run.training.lora.get(loraNames(p.layer).b)!;
    // conv W [out, inner] += s·B[out, r]·A[r, inner]; linear W [in, out] += s·A[in, r]·B[r, out].
    const [left, right, rows] = layer.kind === 'conv' ? [b, a, layer.outChannels] : [a, b, layer.inChannels];
    const cols = w0.length / rows;
    const delta = new Float64Array(w0.length);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        for (let k = 0; k < p.rank; k++) sum += left[i * p.rank + k]! * right[k * cols + j]!;
        delta[i * cols + j] = loraScale(p) * sum;
      }
    const w = Float32Array.from(w0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[i * cols + j]! += delta[j * rows + i]!;
    weights.set(p.weight, w);
  }
  return { weights, tokens: run.training.tokens };
}

const brokenMerges: Record<string, (run: TrainedRun) => ExportedForm> = {
  'LoRA scale off by 2x': (run) => ({
    weights: mergeLora(
      run.config,
      run.training.base,
      run.training.placement.map((p) => ({ ...p, alpha: 2 * p.alpha })),
      run.training.lora,
    ),
    tokens: run.training.tokens,
  }),
  'B·A transposed': transposedMerge,
  'LoRA dropped (base weights exported)': (run) => ({ weights: run.training.base, tokens: run.training.tokens }),
  "another concept's tokens": (run) => ({ ...correctMerge(run), tokens: otherConceptTokens }),
};

describe('export fidelity check', () => {
  test('a correct merge passes for a weak and a diverged high-learning-rate run, though the diverged one is over the old fixed 1e-4', async () => {
    const weakReport = await checkExportFidelity(weak.config, weak.training, correctMerge(weak), previews);
    const divergedReport = await checkExportFidelity(diverged.config, diverged.training, correctMerge(diverged), previews);
    console.log(`[fidelity] correct merges: weak ${JSON.stringify(weakReport)}, diverged ${JSON.stringify(divergedReport)}`);
    for (const report of [weakReport, divergedReport]) {
      expect(report.maxAbsDiff).toBeLessThanOrEqual(report.tolerance);
      expect(report.tolerance).toBe(FIDELITY_RELATIVE_TOLERANCE * Math.max(1, report.outputScale));
    }
    // Pure float32 rounding, yet more than the old bound allowed: the case that refused real exports.
    expect(divergedReport.outputScale).toBeGreaterThan(10);
    expect(divergedReport.maxAbsDiff).toBeGreaterThan(OLD_FIXED_TOLERANCE);
    expect(divergedReport.maxAbsDiff).toBeGreaterThan(0);
  });

  test.each(Object.keys(brokenMerges))('refuses a broken merge (%s), naming the difference and the bound', async (bug) => {
    for (const [label, run] of [
      ['weak', weak],
      ['diverged', diverged],
    ] as const) {
      const error = await checkExportFidelity(run.config, run.training, brokenMerges[bug]!(run), previews).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `${bug} on the ${label} run`).toBeInstanceOf(ExportFidelityError);
      const { report, message } = error as ExportFidelityError;
      console.log(`[fidelity] ${bug}, ${label} run: diff ${report.maxAbsDiff.toExponential(2)} bound ${report.tolerance.toExponential(2)}`);
      expect(message).toContain(
        `differs from the training graph by ${report.maxAbsDiff.toExponential(2)}, over the bound ${report.tolerance.toExponential(2)}`,
      );
      // Not a near miss: a bug moves the output several times the bound even when the LoRA has barely trained.
      expect(report.maxAbsDiff).toBeGreaterThan(5 * report.tolerance);
    }
  });

  test('exportBundle exports the diverged run and records the check in the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-fidelity-'));
    try {
      const result = await exportBundle({
        config: diverged.config,
        ...diverged.training,
        concept: { id: 'diverged', name: 'Diverged', prompt: '' },
        baseModel: { id: 'shipped', sha256: '' },
        studioVersion: '0',
        size: SIZE,
        previewImages: previews,
        precisions: [],
        latencyRuns: 1,
        outZip: join(dir, 'bundle.zip'),
      });
      const { fidelity } = result.manifest;
      expect(fidelity.maxAbsDiffVsTrainingGraph).toBeGreaterThan(OLD_FIXED_TOLERANCE);
      expect(fidelity.maxAbsDiffVsTrainingGraph).toBeLessThanOrEqual(fidelity.tolerance);
      expect(fidelity.relativeTolerance).toBe(FIDELITY_RELATIVE_TOLERANCE);
      expect(fidelity.tolerance).toBe(FIDELITY_RELATIVE_TOLERANCE * Math.max(1, fidelity.outputScale!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
