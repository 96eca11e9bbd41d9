import { mkdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { writeCheckpointSnapshot } from '../checkpoint-concept';
import { exportTrainedRun } from '../export-run';
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
  const snapshotPath = path.join(absolute, 'snapshot-run');
  try {
    if (payload.snapshot) {
      // Taken first, at once: the training job keeps rotating its checkpoints while this one exports.
      reportProgress(0, 'copying the newest checkpoint');
      snapshotStep = (await writeCheckpointSnapshot(payload.runPath, snapshotPath, payload.snapshot.step)).step;
    }
    result = await exportTrainedRun({
      runPath: snapshotStep === null ? payload.runPath : snapshotPath,
      outZip: zipPath,
      precisions: payload.precisions,
      ...(payload.size !== undefined ? { size: payload.size } : {}),
      concept: { id: slug(payload.name) || 'concept', name: payload.name, prompt: payload.prompt },
      // exportBundle has no cancel hook; its progress callback is the safe point between stages.
      onProgress: (stage, fraction) => {
        if (signal.aborted) throw new ExportCancelled();
        reportProgress(Math.min(fraction, 0.99), stage);
      },
    });
  } catch (error) {
    if (error instanceof ExportCancelled) {
      await rm(absolute, { recursive: true, force: true });
      return { exportId: null };
    }
    throw error;
  } finally {
    await rm(snapshotPath, { recursive: true, force: true });
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

/** Says on the export itself that it is not the finished run. */
export function snapshotWarning(step: number): string {
  return `Snapshot of step ${step}, taken while the run was still training: the finished run may look different.`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}
