import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Job, type Services } from '../../../electron/services/index';
import { writeImportFolder } from './fixtures/make-images';
import { checkDataFolder } from './fixtures/store-invariants';

let root: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-cancel-'));
  services = createServices({ dataDir: path.join(root, 'data') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('cancelling jobs', () => {
  it('stops a running import between files and keeps a partial result', async () => {
    const folder = path.join(root, 'photos');
    const counts = await writeImportFolder(folder, 20, 160);
    const total = counts.images + counts.text + counts.corrupt;
    const project = services.projects.create({ name: 'Cancel' });
    const job = services.imports.start({ projectId: project.id, sources: [{ path: folder }] });
    services.events.on('jobProgress', (event) => {
      if (event.jobId === job.id && event.progress > 0 && services.jobs.get({ jobId: job.id }).state === 'running') {
        services.jobs.cancel({ jobId: job.id });
      }
    });
    expect(() => services.projects.delete({ projectId: project.id })).toThrow(/queued or running job\(s\); cancel them first/);

    const finished = (await services.jobs.waitFor(job.id)) as Job<'import-images'>;
    expect(finished.state).toBe('cancelled');
    const result = finished.result!;
    expect(result.notProcessed).toBeGreaterThan(0);
    expect(result.imported.length + result.skipped.length + result.duplicates.length + result.notProcessed).toBe(total);
    expect(services.images.list({ projectId: project.id })).toHaveLength(result.imported.length);
    expect(() => services.jobs.cancel({ jobId: job.id })).toThrow(/already cancelled/);
    expect(checkDataFolder(services.dataDir).problems).toEqual([]);
    // Once nothing runs, the project can go.
    services.projects.delete({ projectId: project.id });
    expect(services.projects.list()).toEqual([]);
  });

  it('cancels a queued job before it starts, while the one ahead of it finishes', async () => {
    const folder = path.join(root, 'photos');
    await writeImportFolder(folder, 3);
    const project = services.projects.create({ name: 'Queue' });
    const first = services.imports.start({ projectId: project.id, sources: [{ path: folder }] });
    const second = services.imports.start({ projectId: project.id, sources: [{ path: folder }] });
    expect(services.jobs.get({ jobId: second.id }).state).toBe('queued');
    expect(services.jobs.cancel({ jobId: second.id }).state).toBe('cancelled');
    expect((await services.jobs.waitFor(first.id)).state).toBe('done');
    expect(services.jobs.get({ jobId: second.id })).toMatchObject({ state: 'cancelled', startedAt: null, result: null });
  });
});
