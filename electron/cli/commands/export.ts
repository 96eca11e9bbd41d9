import { parseArgs } from 'node:util';
import { baselineNote, numberFlag } from './train';
import { linesIo, printJson, UsageError, type CliCommand } from '../command';
import { findTeacher } from '../../../native-models/teachers/index';
import { DEFAULT_EXPORT_SIZE } from '../../../native-models/export/exporter';
import { exportTrainedRun } from '../../jobs/export-run';
import { loadRunConcept } from '../../../native-models/e2gan/run-model';
import { PRECISIONS, type Precision } from '../../../native-models/export/manifest';

const usage = `Usage: e2gan export --run RUN --out BUNDLE.zip [--precision fp32|fp16|int8 ...] [--previews DIR]
                    [--name NAME] [--prompt TEXT] [--size N] [--json]

Exports a finished training run as a mobile bundle (docs/bundle-format.md): LoRA merged into the base, a
standalone ONNX graph taking and returning RGBA uint8 pixels, ORT-format files, the LoRA-only delta,
manifest.json with sha256 of every file, before/after previews and an integration README.
  --precision P   variants to add besides fp32 (repeat or comma-separate; default fp16,int8)
  --previews DIR  photos for the previews and precision checks (default: the run's pairs inputs)
  --name NAME     the concept's name in the manifest (default: the built-in effect the pairs were taught
                  with, when the run records one; else the pairs folder's name)
  --size N        side of the phone model's square input (default 256; any multiple of 8 — the generator is
                  fully convolutional); the held-out quality at that size is measured and recorded
  --json          print the result (manifest summary and bundle path) as JSON on stdout`;

const command: CliCommand = {
  path: ['export'],
  summary: 'Export a trained concept as a mobile bundle (.zip)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        run: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string', multiple: true },
        previews: { type: 'string' },
        name: { type: 'string' },
        prompt: { type: 'string' },
        size: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    const lines = linesIo(io, values.json);
    if (!values.run || !values.out) throw new UsageError('--run and --out are required');
    if (!values.out.endsWith('.zip')) throw new UsageError(`--out must name a .zip file, got '${values.out}'`);
    const requested = (values.precision ?? ['fp16,int8'])
      .flatMap((p) => p.split(','))
      .map((p) => p.trim())
      .filter(Boolean);
    for (const p of requested) {
      if (!PRECISIONS.includes(p as Precision)) throw new UsageError(`--precision: expected ${PRECISIONS.join(', ')}, got '${p}'`);
    }
    const run = await loadRunConcept(values.run);
    const conceptName = values.name ?? defaultConceptName(run.settings);
    const size = numberFlag(values.size, '--size', { integer: true, min: 8 }) ?? DEFAULT_EXPORT_SIZE;
    let lastStage = '';
    // The studio's export path (previews, held-out quality at `size`, bundle): one implementation for both.
    const result = await exportTrainedRun({
      runPath: values.run,
      outZip: values.out,
      precisions: requested as Precision[],
      concept: { id: conceptName.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name: conceptName, prompt: values.prompt ?? '' },
      ...(values.previews !== undefined ? { previewDir: values.previews } : {}),
      size,
      onProgress: (stage, fraction) => {
        if (stage !== lastStage) lines.err(`${String(Math.round(fraction * 100)).padStart(3)}%  ${stage}`);
        lastStage = stage;
      },
    }).catch((error: unknown) => {
      if (error instanceof Error && !values.previews && /no preview images found/.test(error.message)) error.message += '; pass --previews DIR';
      throw error;
    });
    const m = result.manifest;
    lines.out(
      `generator: ${m.parameters.toLocaleString('en-US')} parameters (LoRA ${m.loraParameters.toLocaleString('en-US')}), ${(m.macs / 1e9).toFixed(2)} GMACs at ${m.input.width}x${m.input.height}`,
    );
    lines.out(
      `fidelity: merged vs training graph max abs diff ${m.fidelity.maxAbsDiffVsTrainingGraph.toExponential(2)} (tolerance ${m.fidelity.tolerance.toExponential(2)})`,
    );
    for (const v of m.variants) {
      lines.out(
        `${v.precision.padEnd(5)} ${(v.bytes / 1048576).toFixed(2)} MB onnx, ${(v.ortBytes / 1048576).toFixed(2)} MB ort, ${v.psnrVsFp32 === null ? 'reference' : `${v.psnrVsFp32.toFixed(1)} dB vs fp32`}, ${v.cpuLatencyMs.toFixed(1)} ms on this CPU`,
      );
    }
    const quality = m.quality;
    if (quality && quality.heldOutPairs > 0) {
      lines.out(
        `quality at ${size}x${size}: held-out PSNR ${quality.psnr.toFixed(2)} dB ${baselineNote(quality.psnr, quality)} on ${quality.heldOutPairs} pair(s)`,
      );
    } else {
      lines.out(`quality at ${size}x${size}: not measured (the run held no pairs out)`);
    }
    for (const warning of result.warnings) lines.err(`warning: ${warning}`);
    if (values.json) {
      printJson(io, {
        bundle: result.zipPath,
        concept: m.concept,
        parameters: m.parameters,
        loraParameters: m.loraParameters,
        macs: m.macs,
        input: m.input,
        quality: m.quality ?? null,
        variants: m.variants.map((v) => ({
          precision: v.precision,
          bytes: v.bytes,
          ortBytes: v.ortBytes,
          psnrVsFp32: v.psnrVsFp32,
          cpuLatencyMs: v.cpuLatencyMs,
        })),
        warnings: result.warnings,
      });
    } else {
      io.out(`bundle=${result.zipPath}`);
    }
    return 0;
  },
};

/**
 * The concept's name when --name is not given: the built-in effect that taught the pairs (a run trained on
 * `e2gan teach` pairs records it), else the pairs folder's name — unless that is a generic "pairs" folder,
 * then the run folder's.
 */
export function defaultConceptName(settings: { pairs: string; teacher?: string }): string {
  const teacher = settings.teacher ? findTeacher(settings.teacher) : undefined;
  if (teacher) return teacher.name;
  const parts = settings.pairs.split(/[\\/]/).filter(Boolean);
  const folder = parts.pop();
  return (folder && folder.toLowerCase() !== 'pairs' ? folder : parts.pop()) ?? 'concept';
}

export default command;
