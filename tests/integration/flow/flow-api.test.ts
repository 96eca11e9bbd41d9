import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatch } from '../../../electron/api/dispatch';
import { callOk, openApiHarness } from './fixtures/api-harness';
import type { Services } from '../../../electron/services/index';

let root: string;
let services: Services;
let dispatch: Dispatch;
let emitted: { name: string; payload: unknown }[];
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-api-'));
  ({ services, dispatch, emitted } = openApiHarness(root));
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

function call<T>(method: string, input?: unknown): Promise<T> {
  return callOk<T>(dispatch, method, input);
}

describe('flow API over the real services', () => {
  it('validates flow inputs at the boundary and maps service errors to typed API errors', async () => {
    const badSize = await dispatch('training.start', { conceptId: 1, preset: 'fast', advanced: { size: 30 } });
    expect(badSize).toMatchObject({ ok: false, error: { code: 'invalid_input', path: ['advanced', 'size'] } });
    const guard = await dispatch('pairs.setStatus', { pairId: 1, status: 'guard-rejected' });
    expect(guard).toMatchObject({ ok: false, error: { code: 'invalid_input', path: ['status'] } });
    const missing = await dispatch('pairs.list', { conceptId: 99 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('concept 99') } });
    const noRun = await dispatch('liveModel.get', { runId: 5 });
    expect(noRun).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('imports pairs, starts and cancels a run, and forwards onPairsChanged / onTrainingChanged', async () => {
    const project = await call<{ id: number }>('projects.create', { name: 'API' });
    const concept = await call<{ id: number }>('concepts.create', { projectId: project.id, name: 'Tint' });
    const dir = path.join(root, 'pairs');
    mkdirSync(dir);
    await sharp({ create: { width: 24, height: 24, channels: 3, background: '#336699' } })
      .png()
      .toFile(path.join(dir, 'a.input.png'));
    await sharp({ create: { width: 24, height: 24, channels: 3, background: '#996633' } })
      .png()
      .toFile(path.join(dir, 'a.target.png'));
    const imported = await call<{ pairIds: number[] }>('pairs.importPaired', { conceptId: concept.id, sources: [{ path: dir }] });
    expect(imported.pairIds).toHaveLength(1);
    expect(emitted).toContainEqual({ name: 'onPairsChanged', payload: { projectId: project.id, conceptId: concept.id } });

    const run = await call<{ id: number; jobId: number }>('training.start', {
      conceptId: concept.id,
      preset: 'fast',
      advanced: { steps: 2, size: 32, executionProvider: 'cpu' },
    });
    await call('training.cancel', { runId: run.id });
    await services.jobs.waitFor(run.jobId);
    expect(await call<{ state: string }>('training.get', { runId: run.id })).toMatchObject({ state: 'cancelled' });
    expect(await dispatch('training.resume', { runId: run.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(emitted).toContainEqual({ name: 'onTrainingChanged', payload: { projectId: project.id, conceptId: concept.id, runId: run.id } });
    const runs = await call<{ id: number }[]>('training.list', { projectId: project.id });
    expect(runs.map((r) => r.id)).toEqual([run.id]);
    const live = await dispatch('liveModel.get', { runId: run.id });
    expect(live).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('no checkpoint yet') } });
  }, 60_000);
});
