import { downloadModel, formatBytes } from '../../../native-models/diffusion/models/hf-download';
import type { JobHandler } from '../job-handlers';

/**
 * Downloads a Hugging Face repo into the models folder. Files land in a staging folder as .part files verified
 * against the Hub's hashes, so a cancelled or interrupted job resumes (Range requests) where it stopped.
 */
export const downloadModelJob: JobHandler<'download-model'> = async ({ payload, signal, reportProgress }) => {
  try {
    const model = await downloadModel(payload.repoId, payload.modelsDir, {
      ...(payload.baseUrl ? { baseUrl: payload.baseUrl } : {}),
      ...(payload.revision ? { revision: payload.revision } : {}),
      ...(payload.name ? { name: payload.name } : {}),
      signal,
      onProgress: (p) =>
        reportProgress(
          p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0,
          `${p.file} (file ${p.fileIndex + 1} of ${p.fileCount}): ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`,
        ),
    });
    return { name: model.name, sizeBytes: model.sizeBytes };
  } catch (error) {
    if (signal.aborted) return { name: null, sizeBytes: 0 };
    throw error;
  }
};
