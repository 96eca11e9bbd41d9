/**
 * ExportsState (the Exports panel's state) against the real browser-mode back end through the page's typed
 * WebSocket client: errors as messages, an export job's progress and result, send to phone and stop, delete.
 */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { trainTinyCliRun } from '../../support/cli-run';
import { useStudioServer } from '../../support/api-server';
import { createServices } from '../../../electron/services/index';
import { ExportsState } from '../../../renderer/src/lib/state/exports-state.svelte';
import { ProjectState } from '../../../renderer/src/lib/state/project-state.svelte';
import { StudioApiError, type StudioApi } from '../../../electron/api/contract';

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 60_000, interval: 20 });

let runPath: string;
const studio = useStudioServer(
  'e2gan-exports-state-',
  async (root) => {
    runPath = await trainTinyCliRun(root, 'cyanotype');
    // Shares stay on 127.0.0.1 in tests.
    const services = createServices({ dataDir: path.join(root, 'data'), lanAddress: () => undefined });
    return { options: { dataDir: services.dataDir, services, allowedPathRoots: [root] }, teardown: () => services.close() };
  },
  120_000,
);

describe('ExportsState', () => {
  it('exports a run folder, shares it, stops, and deletes it', async () => {
    const project = await studio.api.projects.create({ name: 'Cyan' });
    const state = new ExportsState(studio.api, project.id);
    const stop = state.start();
    try {
      await state.reload();
      expect(state.exports).toEqual([]);
      expect(await state.finishedRuns()).toEqual([]);

      expect(await state.startExport({ conceptId: null, source: { runPath: studio.root }, precisions: ['fp16'] })).toBe(false);
      expect(state.error).toContain(`${studio.root} is not a training run`);
      expect(state.activeJob).toBeNull();

      const labels = new Set<string>();
      const off = studio.api.events.onJobProgress((event) => event.message && labels.add(event.message));
      expect(await state.startExport({ conceptId: null, source: { runPath }, precisions: ['fp16'] })).toBe(true);
      expect(state.error).toBeNull();
      await waitFor(() => expect(state.exports).toHaveLength(1));
      await waitFor(() => expect(state.activeJob).toBeNull());
      off();
      expect(state.progress).toBeNull();
      expect(labels).toContain('building and measuring fp16');
      const [record] = state.exports;
      expect(record!.manifest.concept.name).toBe('run');

      await state.sendToPhone(record!.id);
      expect(state.share).toMatchObject({ active: true, exportId: record!.id, host: '127.0.0.1' });
      expect(state.secondsLeft).toBeGreaterThan(14 * 60);
      await state.deleteExport(record!.id);
      expect(state.error).toContain('being shared');
      await state.stopSharing();
      expect(state.share).toEqual({ active: false, exportId: null, endedReason: 'stopped' });

      state.error = null;
      await state.deleteExport(record!.id);
      expect(state.error).toBeNull();
      expect(state.exports).toEqual([]);
    } finally {
      stop();
    }
  }, 120_000);

  it('shows a failed job listing on its error line, and the project still loads', async () => {
    const project = await studio.api.projects.create({ name: 'Jobs unreadable' });
    // The real back end for everything else; jobs.list rejects as the server answers a call that failed in it.
    let failJobList = true;
    const jobsUnreadable: StudioApi = {
      ...studio.api,
      jobs: {
        ...studio.api.jobs,
        list: (input) =>
          failJobList
            ? Promise.reject(new StudioApiError({ code: 'internal', method: 'jobs.list', message: 'jobs.list failed: database disk image is malformed' }))
            : studio.api.jobs.list(input),
      },
    };
    const state = new ProjectState(jobsUnreadable, project.id);
    await state.reload();
    expect(state.loaded).toBe(true);
    expect(state.project?.name).toBe('Jobs unreadable');
    expect(state.exports.error).toBe('Could not check for a running export: jobs.list failed: database disk image is malformed');
    expect(state.exports.activeJob).toBeNull();
    expect(state.exports.exports).toEqual([]);

    // Once the jobs can be listed again, a reload takes the message off the line.
    failJobList = false;
    await state.reload();
    expect(state.exports.error).toBeNull();
  }, 60_000);
});
