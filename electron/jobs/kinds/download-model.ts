import { defaultIncludeFile, downloadModel, formatBytes, listRemoteFiles } from '../../../native-models/diffusion/models/hf-download';
import { modelNameFromRepoId } from '../../../native-models/diffusion/models/model-store';
import { downloadStagingDir, seedFromCache } from '../hf-cache';
import type { JobHandler } from '../job-handlers';

/**
 * Downloads a Hugging Face repo into the models folder. Files already in the standard Hugging Face cache (and
 * matching the Hub's hashes) are taken from there first. Files land in a staging folder as .part files verified
 * against the Hub's hashes, so a cancelled or interrupted job resumes (Range requests) where it stopped. The
 * token for gated repos comes from the job's in-memory secrets, never from its stored payload.
 */
export const downloadModelJob: JobHandler<'download-model'> = async ({ payload, signal, secrets, reportProgress }) => {
  const hub = {
    ...(payload.baseUrl ? { baseUrl: payload.baseUrl } : {}),
    ...(payload.revision ? { revision: payload.revision } : {}),
    ...(secrets.hfToken ? { token: secrets.hfToken } : {}),
  };
  try {
    let reusedNote = '';
    let reusedBytes = 0;
    if (payload.hfCacheDir) {
      reportProgress(0, `looking for ${payload.repoId} in the Hugging Face cache`);
      const files = (await listRemoteFiles(payload.repoId, { ...hub, signal })).filter((file) => defaultIncludeFile(file.path));
      const staging = downloadStagingDir(payload.modelsDir, payload.name ?? modelNameFromRepoId(payload.repoId));
      const reused = await seedFromCache(payload.hfCacheDir, payload.repoId, files, staging, signal);
      reusedBytes = reused.bytes;
      if (reused.files > 0)
        reusedNote = ` (${reused.files} file${reused.files === 1 ? '' : 's'}, ${formatBytes(reused.bytes)} reused from the Hugging Face cache)`;
    }
    const model = await downloadModel(payload.repoId, payload.modelsDir, {
      ...hub,
      ...(payload.name ? { name: payload.name } : {}),
      signal,
      onProgress: (p) =>
        reportProgress(
          p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0,
          `${p.file} (file ${p.fileIndex + 1} of ${p.fileCount}): ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}${reusedNote}`,
        ),
    });
    return { name: model.name, sizeBytes: model.sizeBytes, reusedBytes };
  } catch (error) {
    if (signal.aborted) return { name: null, sizeBytes: 0, reusedBytes: 0 };
    throw error;
  }
};
