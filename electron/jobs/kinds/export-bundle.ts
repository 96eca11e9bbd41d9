import { mkdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { loadTrainedConcept } from '../../../native-models/e2gan/run-model';
import { checkpointSnapshot } from '../checkpoint-concept';
import { exportRunConcept, exportTrainedRun, type ExportRunOptions } from '../export-run';
import { engineOfRun, runSettingsOf } from '../run-engine';
import { loadRunPairs } from '../run-pairs';
import type { Store } from '../../store/store';
import type { ExportBundleResult } from '../../domain/export-types';
import type { JobHandler } from '../job-handlers';

/** Where an export job writes, relative to the data folder: one folder per job, so a rerun overwrites only itself. */
export function exportFolder(jobId: number): string {
  return path.join('exports', `job-${jobId}`);
}

/** The bundle files the share server hands to the phone, unpacked next to the zip. */
export const SHARED_BUNDLE_FILES = ['manifest.json', 'model.onnx'] as const;

class ExportCancelled extends Error {}

/**
 * Exports a finished training run (or, for a snapshot, a run's newest checkpoint) as a mobile bundle into the
 * data folder and records it. The row is inserted
 * only after the zip and its unpacked files are complete; a job resumed after a crash starts the export over.
 */
export const exportBundleJob: JobHandler<'export-bundle'> = async ({ jobId, payload, store, signal, reportProgress }) => {
  const { exports } = store;
  const done = exports.findByJob(jobId);
  if (done) return { exportId: done.id } satisfies ExportBundleResult;
  if (!store.projects.get(payload.projectId)) throw new Error(`project ${payload.projectId} does not exist`);

  const folder = exportFolder(jobId);
  const absolute = path.join(store.layout.root, folder);
  await rm(absolute, { recursive: true, force: true });
  await mkdir(absolute, { recursive: true });
  const zipName = `${slug(payload.name) || 'concept'}.zip`;
  const zipPath = path.join(absolute, zipName);
  let result;
  let snapshotStep: number | null = null;
  const options: Omit<ExportRunOptions, 'runPath' | 'previewDir'> = {
    outZip: zipPath,
    precisions: payload.precisions,
    ...(payload.size !== undefined ? { size: payload.size } : {}),
    concept: { id: slug(payload.name) || 'concept', name: payload.name, prompt: payload.prompt },
    // exportBundle has no cancel hook; its progress callback is the safe point between stages.
    onProgress: (stage, fraction) => {
      if (signal.aborted) throw new ExportCancelled();
      reportProgress(Math.min(fraction, 0.99), stage);
    },
  };
  try {
    if (payload.trainingRunId !== undefined) {
      const studio = await exportStudioRun(store, payload.trainingRunId, payload.snapshot, reportProgress, options);
      result = studio.result;
      snapshotStep = studio.snapshotStep;
    } else {
      result = await exportTrainedRun({ runPath: payload.runPath, ...options });
    }
  } catch (error) {
    if (error instanceof ExportCancelled) {
      await rm(absolute, { recursive: true, force: true });
      return { exportId: null };
    }
    throw error;
  }
  const unpacked = unzipSync(new Uint8Array(await readFile(zipPath)), { filter: (file) => (SHARED_BUNDLE_FILES as readonly string[]).includes(file.name) });
  for (const name of SHARED_BUNDLE_FILES) {
    const data = unpacked[name];
    if (!data) throw new Error(`${zipPath}: the bundle has no ${name}`);
    await writeFile(path.join(absolute, name), data);
  }
  const record = exports.insert({
    projectId: payload.projectId,
    // The concept may have been deleted while the job was queued.
    conceptId: payload.conceptId !== null && store.concepts.get(payload.conceptId) ? payload.conceptId : null,
    jobId,
    runPath: payload.runPath,
    zipPath: path.join(folder, zipName),
    zipBytes: (await stat(zipPath)).size,
    precisions: result.manifest.variants.map((variant) => variant.precision),
    manifest: result.manifest,
    warnings: snapshotStep === null ? result.warnings : [snapshotWarning(snapshotStep), ...result.warnings],
  });
  reportProgress(1, `exported ${zipName}`);
  return { exportId: record.id };
};

/**
 * A studio run exported from the store, in memory: its settings from its row, its pairs from the blob store, and
 * its concept from its folder's trained generator or, for a snapshot, the checkpoint of `snapshot.step` (taken
 * first, at once: the training job keeps rotating its checkpoints while this one exports).
 */
async function exportStudioRun(
  store: Store,
  runId: number,
  snapshot: { step: number } | undefined,
  reportProgress: (progress: number, message: string | null) => void,
  options: Omit<ExportRunOptions, 'runPath' | 'previewDir'>,
): Promise<{ result: Awaited<ReturnType<typeof exportRunConcept>>; snapshotStep: number | null }> {
  const run = store.trainingRuns.get(runId);
  if (!run) throw new Error(`training run ${runId} does not exist`);
  const engine = await engineOfRun(store, run);
  if (!engine) throw new Error(`training run ${runId} has not started training yet`);
  const settings = runSettingsOf(run, engine);
  let concept;
  if (snapshot) {
    reportProgress(0, 'reading the newest checkpoint');
    concept = await checkpointSnapshot({ checkpoints: store.checkpointsOf(run), settings }, snapshot.step);
  } else {
    concept = await loadTrainedConcept(run.runPath, settings);
  }
  const { pairs } = await loadRunPairs(store, engine.pairIds);
  return { result: await exportRunConcept(concept, pairs, options), snapshotStep: snapshot ? concept.settings.steps : null };
}

/** Says on the export itself that it is not the finished run. */
export function snapshotWarning(step: number): string {
  return `Snapshot of step ${step}, taken while the run was still training: the finished run may look different.`;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
