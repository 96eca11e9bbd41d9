/**
 * Browser mode's file staging: a page has no paths on the back end's disk, so dropped or picked files are
 * uploaded one by one into the data folder's staging/ and come back as importable sources. Browser-safe.
 */
import { StudioApiError, type ApiErrorData, type FileToStage, type ImportSource } from './contract';
import { UPLOAD_PATH } from './ws-protocol';

export function createFileStager(origin: string, token: string, doFetch: typeof fetch): (files: FileToStage[]) => Promise<ImportSource[]> {
  return async (files) => {
    const staged: ImportSource[] = [];
    for (const [index, { file, relativePath }] of files.entries()) {
      const name = relativePath || file.name;
      const url = `${origin}${UPLOAD_PATH}?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`;
      const response = await doFetch(url, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } });
      if (!response.ok) {
        const detail = await response.text().catch(() => '');
        const message = `uploading ${name} failed (HTTP ${response.status}): ${detail}`;
        const error: ApiErrorData =
          response.status === 400 || response.status === 413
            ? {
                code: 'invalid_input',
                method: 'stageFiles',
                path: [index],
                expected: 'a file the studio can stage',
                received: name,
                message,
                issues: [{ path: [index], message: detail }],
              }
            : { code: 'internal', method: 'stageFiles', message };
        throw new StudioApiError(error);
      }
      staged.push((await response.json()) as ImportSource);
    }
    return staged;
  };
}
