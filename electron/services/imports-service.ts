import path from 'node:path';
import { InvalidInputError } from '../domain/errors';
import type { ImportFile } from '../domain/types';
import type { JobRunner } from '../jobs/job-runner';
import type { Store } from '../store/store';
import { requireProject } from './records';
import { listSamplePhotos } from './sample-photos';
import type { ImportsService } from './services';

export function createImportsService({ store, runner }: { store: Store; runner: JobRunner }): ImportsService {
  const startImport = (projectId: number, files: ImportFile[]) => {
    requireProject(store, projectId);
    return runner.enqueue('import-images', projectId, { projectId, files: checkImportFiles(files) });
  };
  return {
    start: ({ projectId, sources }) => startImport(projectId, sources),
    samples: async ({ projectId }) => startImport(projectId, await listSamplePhotos()),
  };
}

function checkImportFiles(files: ImportFile[]): ImportFile[] {
  if (!Array.isArray(files) || files.length === 0) throw new InvalidInputError('files: expected at least one path');
  return files.map((file, index) => {
    if (typeof file?.path !== 'string' || file.path.length === 0) {
      throw new InvalidInputError(`files[${index}].path: expected a non-empty string`);
    }
    if (!path.isAbsolute(file.path)) {
      throw new InvalidInputError(`files[${index}].path: expected an absolute path, got '${file.path}'`);
    }
    if (file.name !== undefined && typeof file.name !== 'string') {
      throw new InvalidInputError(`files[${index}].name: expected a string, got ${typeof file.name}`);
    }
    return file.name === undefined ? { path: file.path } : { path: file.path, name: file.name };
  });
}
