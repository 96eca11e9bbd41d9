import { openStore } from '../store/store';
import type { JobKind } from '../domain/types';
import type { JobHandler } from './job-handlers';
import type { JobOutcome, JobProgressUpdate, JobRequest } from './job-host';
import { importImages } from './kinds/import-images';
import { exportBundleJob } from './kinds/export-bundle';
import { generatePairsJob } from './kinds/generate-pairs';
import { trainRunJob } from './kinds/train-run';
import { downloadModelJob } from './kinds/download-model';

const handlers: { [K in JobKind]: JobHandler<K> } = {
  'import-images': importImages,
  'export-bundle': exportBundleJob,
  'generate-pairs': generatePairsJob,
  'train-run': trainRunJob,
  'download-model': downloadModelJob,
};

/**
 * Executes one job against its own connection to the data folder. Called inside a worker thread (or a utility
 * process); never throws: every failure becomes a 'failed' outcome with a message.
 */
export async function executeJob(request: JobRequest, signal: AbortSignal, onProgress: (update: JobProgressUpdate) => void): Promise<JobOutcome> {
  const handler = handlers[request.kind] as JobHandler<JobKind> | undefined;
  if (!handler) return { state: 'failed', error: `unknown job kind '${request.kind}'` };
  let store;
  try {
    store = openStore(request.dataDir);
  } catch (error) {
    return { state: 'failed', error: `cannot open the data folder ${request.dataDir}: ${messageOf(error)}` };
  }
  try {
    const result = await handler({
      jobId: request.jobId,
      payload: request.payload as never,
      store,
      signal,
      secrets: request.secrets ?? {},
      reportProgress: (progress, message, changed) => onProgress({ progress, message, ...(changed ? { changed } : {}) }),
    });
    return signal.aborted ? { state: 'stopped', result } : { state: 'done', result };
  } catch (error) {
    return { state: 'failed', error: messageOf(error) };
  } finally {
    store.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
