import { parseArgs } from 'node:util';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runQualityAtSize } from '../../../native-models/e2gan/run-quality';
import { baselineNote, numberFlag } from './train';
import { UsageError, type CliCommand } from '../command';
import { DEFAULT_EXPORT_SIZE, exportBundle } from '../../../native-models/export/exporter';
import { loadRunConcept } from '../../../native-models/e2gan/run-model';
import { PRECISIONS, type Precision } from '../../../native-models/export/manifest';
import { isImageFileName, readImage } from '../../../native-models/image/io';

const usage = `Usage: e2gan export --run RUN --out BUNDLE.zip [--precision fp32|fp16|int8 ...] [--previews DIR]
                    [--name NAME] [--prompt TEXT] [--size N]

Exports a finished training run as a mobile bundle (docs/bundle-format.md): LoRA merged into the base, a
standalone ONNX graph taking and returning RGBA uint8 pixels, ORT-format files, the LoRA-only delta,
manifest.json with sha256 of every file, before/after previews and an integration README.
  --precision P   variants to add besides fp32 (repeat or comma-separate; default fp16,int8)
  --previews DIR  photos for the previews and precision checks (default: the run's pairs inputs)
  --size N        side of the phone model's square input (default 256; any multiple of 8 — the generator is
                  fully convolutional); the held-out quality at that size is measured and recorded`;

const command: CliCommand = {
  path: ['export'],
  summary: 'Export a trained concept as a mobile bundle (.zip)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        run: { type: 'string' }, out: { type: 'string' }, precision: { type: 'string', multiple: true },
        previews: { type: 'string' }, name: { type: 'string' }, prompt: { type: 'string' }, size: { type: 'string' },
      },
      allowPositionals: false,
    });
    if (!values.run || !values.out) throw new UsageError('--run and --out are required');
    if (!values.out.endsWith('.zip')) throw new UsageError(`--out must name a .zip file, got '${values.out}'`);
    const requested = (values.precision ?? ['fp16,int8']).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    for (const p of requested) {
      if (!PRECISIONS.includes(p as Precision)) throw new UsageError(`--precision: expected ${PRECISIONS.join(', ')}, got '${p}'`);
    }
    const run = await loadRunConcept(values.run);
    const previewDir = values.previews ?? run.settings.pairs;
    const previewFiles = (await readdir(previewDir).catch(() => { throw new Error(`${previewDir}: cannot read the preview folder`); }))
      .filter((name) => isImageFileName(name) && (values.previews !== undefined || /\.input\.[a-z]+$/i.test(name)))
      .sort()
      .slice(0, 4);
    if (previewFiles.length === 0) throw new Error(`${previewDir}: no preview images found${values.previews ? '' : ' (NAME.input.png files)'}; pass --previews DIR`);
    const previewImages = await Promise.all(previewFiles.map((name) => readImage(join(previewDir, name))));
    const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
    const conceptName = values.name ?? run.settings.pairs.split(/[\\/]/).filter(Boolean).pop() ?? 'concept';
    let lastStage = '';
    const size = numberFlag(values.size, '--size', { integer: true, min: 8 }) ?? DEFAULT_EXPORT_SIZE;
    const quality = await runQualityAtSize(values.run, size);
    const result = await exportBundle({
      ...run,
      size,
      quality: { size, heldOutPairs: quality.heldOutPairs, psnr: quality.psnr, identityPsnr: quality.identityPsnr, affinePsnr: quality.affinePsnr },
      concept: { id: conceptName.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name: conceptName, prompt: values.prompt ?? '' },
      studioVersion: version,
      previewImages,
      precisions: requested as Precision[],
      outZip: values.out,
      onProgress: (stage, fraction) => {
        if (stage !== lastStage) io.err(`${String(Math.round(fraction * 100)).padStart(3)}%  ${stage}`);
        lastStage = stage;
      },
    });
    const m = result.manifest;
    io.out(`generator: ${m.parameters.toLocaleString('en-US')} parameters (LoRA ${m.loraParameters.toLocaleString('en-US')}), ${(m.macs / 1e9).toFixed(2)} GMACs at ${m.input.width}x${m.input.height}`);
    io.out(`fidelity: merged vs training graph max abs diff ${m.fidelity.maxAbsDiffVsTrainingGraph.toExponential(2)} (tolerance ${m.fidelity.tolerance})`);
    for (const v of m.variants) {
      io.out(`${v.precision.padEnd(5)} ${(v.bytes / 1048576).toFixed(2)} MB onnx, ${(v.ortBytes / 1048576).toFixed(2)} MB ort, ${v.psnrVsFp32 === null ? 'reference' : `${v.psnrVsFp32.toFixed(1)} dB vs fp32`}, ${v.cpuLatencyMs.toFixed(1)} ms on this CPU`);
    }
    if (quality.heldOutPairs > 0) {
      io.out(`quality at ${size}x${size}: held-out PSNR ${quality.psnr.toFixed(2)} dB ${baselineNote(quality.psnr, quality)} on ${quality.heldOutPairs} pair(s)`);
    } else {
      io.out(`quality at ${size}x${size}: not measured (the run held no pairs out)`);
    }
    for (const warning of result.warnings) io.err(`warning: ${warning}`);
    io.out(`bundle=${result.zipPath}`);
    return 0;
  },
};

export default command;
