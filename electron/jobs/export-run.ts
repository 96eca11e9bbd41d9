import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EXPORT_SIZE, exportBundle, type ExportResult } from '../../native-models/export/exporter';
import { runQualityAtSize, runQualityOfPairs, type RunQuality } from '../../native-models/e2gan/run-quality';
import { generatorOf, loadRunConcept, type RunConcept } from '../../native-models/e2gan/run-model';
import type { FineTuneSettings, NamedPair } from '../../native-models/e2gan/trainer';
import { PRECISIONS, type Precision } from '../../native-models/export/manifest';
import type { RgbImage } from '../../native-models/image/image';
import { isImageFileName, readImage } from '../../native-models/image/io';

/**
 * Export a finished `e2gan train` run folder as a mobile bundle. One function behind the demo command and the
 * studio's export job, so both pick previews and name concepts the same way.
 */
export interface ExportRunOptions {
  readonly runPath: string;
  readonly outZip: string;
  /** Variants besides fp32 (fp32 is always in the bundle as the reference). */
  readonly precisions: readonly Precision[];
  readonly concept: { readonly id: string; readonly name: string; readonly prompt: string };
  /** Photos for previews and precision checks; default: the run's pairs inputs (NAME.input.*). */
  readonly previewDir?: string;
  /** Side of the phone model's square input (default 256, a multiple of the generator's total stride). */
  readonly size?: number;
  readonly onProgress?: (stage: string, fraction: number) => void;
}

const MAX_PREVIEWS = 4;

/**
 * The app's version from the nearest package.json above this module: electron/jobs/ when run from source,
 * dist/electron/ (or a test's bundle folder) when bundled into the job process.
 */
export function studioVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (parsed.version && parsed.name !== undefined) return parsed.version;
    }
    dir = dirname(dir);
  }
  throw new Error(`no package.json with a version above ${fileURLToPath(import.meta.url)}`);
}

export function parsePrecisions(values: readonly string[]): Precision[] {
  const out: Precision[] = [];
  for (const value of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    if (!PRECISIONS.includes(value as Precision)) throw new Error(`precision: expected one of ${PRECISIONS.join(', ')}, got '${value}'`);
    if (!out.includes(value as Precision)) out.push(value as Precision);
  }
  return out;
}

export async function exportTrainedRun(options: ExportRunOptions): Promise<ExportResult> {
  if (!options.outZip.endsWith('.zip')) throw new Error(`${options.outZip}: the bundle path must end in .zip`);
  const run = await loadRunConcept(options.runPath);
  const previewDir = options.previewDir ?? run.settings.pairs;
  let names: string[];
  try {
    names = await readdir(previewDir);
  } catch {
    throw new Error(`${previewDir}: cannot read the preview folder`);
  }
  const previewFiles = names
    .filter((name) => isImageFileName(name) && (options.previewDir !== undefined || /\.input\.[a-z]+$/i.test(name)))
    .sort()
    .slice(0, MAX_PREVIEWS);
  if (previewFiles.length === 0) throw new Error(`${previewDir}: no preview images found${options.previewDir ? '' : ' (NAME.input.png files)'}`);
  const previewImages = await Promise.all(previewFiles.map((name) => readImage(join(previewDir, name))));
  const size = options.size ?? DEFAULT_EXPORT_SIZE;
  const measured = await runQualityAtSize(options.runPath, size);
  return exportBundleOf(run, previewImages, measured, size, options);
}

/**
 * exportTrainedRun for a run whose concept and pairs are already in memory (a studio run: its concept from its
 * folder or a checkpoint, its pairs from the blob store, in the order it trained on them). The previews are
 * the first pairs' inputs, as the folder reader picks the first NAME.input files.
 */
export async function exportRunConcept(
  run: RunConcept<FineTuneSettings>,
  pairs: readonly NamedPair[],
  options: Omit<ExportRunOptions, 'runPath' | 'previewDir'>,
): Promise<ExportResult> {
  if (!options.outZip.endsWith('.zip')) throw new Error(`${options.outZip}: the bundle path must end in .zip`);
  if (pairs.length === 0) throw new Error('the run has no pairs left to take previews from');
  const size = options.size ?? DEFAULT_EXPORT_SIZE;
  const measured = await runQualityOfPairs(generatorOf(run), run.settings.heldOut, pairs, size);
  return exportBundleOf(
    run,
    pairs.slice(0, MAX_PREVIEWS).map((pair) => pair.input),
    measured,
    size,
    options,
  );
}

async function exportBundleOf(
  run: RunConcept<FineTuneSettings>,
  previewImages: readonly RgbImage[],
  measured: RunQuality,
  size: number,
  options: Omit<ExportRunOptions, 'runPath' | 'previewDir'>,
): Promise<ExportResult> {
  return exportBundle({
    ...run,
    size,
    quality: { size, heldOutPairs: measured.heldOutPairs, psnr: measured.psnr, identityPsnr: measured.identityPsnr, affinePsnr: measured.affinePsnr },
    concept: { ...options.concept },
    studioVersion: studioVersion(),
    previewImages,
    precisions: options.precisions,
    outZip: options.outZip,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
