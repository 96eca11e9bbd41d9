/**
 * ExportsState (the Exports panel's state) against the real browser-mode back end through the page's typed
 * WebSocket client: errors as messages, an export job's progress and result, send to phone and stop, delete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WsStudioApi } from '../../../electron/api/ws-client';
import { startApiServer } from '../../support/api-server';
import { connectWsApi } from '../../support/ws-api';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { createServices, type Services } from '../../../electron/services/index';
import type { WebServer } from '../../../electron/web/server';
import { ExportsState } from '../../../renderer/src/lib/state/exports-state.svelte';
import { ProjectState } from '../../../renderer/src/lib/state/project-state.svelte';
import { StudioApiError, type StudioApi } from '../../../electron/api/contract';

const SAMPLES = new URL('../../../resources/samples/', import.meta.url).pathname;
const quietIo: CliIo = { isTty: false, out() {}, err() {} };
const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 60_000, interval: 20 });

let root: string;
let runPath: string;
let services: Services;
let server: WebServer;
let api: WsStudioApi;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-exports-state-'));
  runPath = path.join(root, 'run');
  expect(await main(['teach', '--concept', 'cyanotype', '--in', SAMPLES, '--out', path.join(root, 'pairs'), '--pairs', '--size', '32'], quietIo)).toBe(0);
  expect(
    await main(
      [
        'train',
        '--pairs',
        path.join(root, 'pairs'),
        '--out',
        runPath,
        '--steps',
        '2',
        '--size',
        '32',
        '--preset',
        'tiny',
        '--base',
        'none',
        '--checkpoint-every',
        '2',
        '--preview-every',
        '2',
      ],
      quietIo,
    ),
  ).toBe(0);
  // Shares stay on 127.0.0.1 in tests.
  services = createServices({ dataDir: path.join(root, 'data'), lanAddress: () => undefined });
  server = await startApiServer(root, { dataDir: services.dataDir, services, allowedPathRoots: [root] });
  api = connectWsApi(server);
}, 120_000);

afterAll(async () => {
  api?.dispose();
  await server?.close();
  await services?.close();
  await rm(root, { recursive: true, force: true });
});

describe('ExportsState', () => {
  it('exports a run folder, shares it, stops, and deletes it', async () => {
    const project = await api.projects.create({ name: 'Cyan' });
    const state = new ExportsState(api, project.id);
    const stop = state.start();
    try {
      await state.reload();
      expect(state.exports).toEqual([]);
      expect(await state.finishedRuns()).toEqual([]);

      expect(await state.startExport({ conceptId: null, source: { runPath: root }, precisions: ['fp16'] })).toBe(false);
      expect(state.error).toContain(`${root} is not a training run`);
      expect(state.activeJob).toBeNull();

      const labels = new Set<string>();
      const off = api.events.onJobProgress((event) => event.message && labels.add(event.message));
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
    const project = await api.projects.create({ name: 'Jobs unreadable' });
    // The real back end for everything else; jobs.list rejects as the server answers a call that failed in it.
    let failJobList = true;
    const jobsUnreadable: StudioApi = {
      ...api,
      jobs: {
        ...api.jobs,
        list: (input) =>
          failJobList
            ? Promise.reject(new StudioApiError({ code: 'internal', method: 'jobs.list', message: 'jobs.list failed: database disk image is malformed' }))
            : api.jobs.list(input),
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
