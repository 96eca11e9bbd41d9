import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatch } from '../../../electron/api/dispatch';
import { createApiHandlers, forwardServiceEvents, nodeAppInfo } from '../../../electron/api/handlers';
import { createServices, type Services } from '../../../electron/services/index';

let root: string;
let services: Services;
let dispatch: Dispatch;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-exports-api-'));
  services = createServices({ dataDir: path.join(root, 'data'), lanAddress: () => '127.0.0.1' });
  dispatch = createDispatcher(createApiHandlers(services, nodeAppInfo('browser', '0.0.0', services.dataDir)));
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('exports and share over the API', () => {
  it('rejects bad export payloads at the boundary, naming the field', async () => {
    const projectId = services.projects.create({ name: 'P' }).id;
    expect(await dispatch('exports.start', { projectId, runPath: 'runs/a', precisions: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', path: ['runPath'], message: expect.stringContaining('absolute path') },
    });
    expect(await dispatch('exports.start', { projectId, runPath: '/runs/a', precisions: ['int4'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', path: ['precisions', 0] },
    });
    expect(await dispatch('exports.start', { projectId, runPath: '/runs/a', precisions: ['fp16'], conceptId: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', path: ['conceptId'] },
    });
    expect(await dispatch('share.stop', { now: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('passes service refusals on as typed errors and never queues a job for them', async () => {
    const projectId = services.projects.create({ name: 'P' }).id;
    expect(await dispatch('exports.start', { projectId, runPath: root, precisions: ['fp16'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining(`${root} is not a training run`) },
    });
    expect(await dispatch('exports.start', { projectId: projectId + 1, runPath: root, precisions: [] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await dispatch('exports.delete', { exportId: 5 })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'export 5 does not exist' } });
    expect(await dispatch('share.start', { exportId: 5 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(services.jobs.list({ projectId })).toEqual([]);
  });

  it('lists exports and reports the share state; stopping when idle is harmless', async () => {
    const projectId = services.projects.create({ name: 'P' }).id;
    expect(await dispatch('exports.list', { projectId })).toEqual({ ok: true, value: [] });
    expect(await dispatch('share.state', undefined)).toEqual({ ok: true, value: { active: false, exportId: null, endedReason: null } });
    expect(await dispatch('share.stop', undefined)).toEqual({ ok: true, value: { active: false, exportId: null, endedReason: null } });
  });

  it('forwards export and share events as onExportsChanged and onShareChanged', () => {
    const seen: [string, unknown][] = [];
    const stop = forwardServiceEvents(services.events, (name, payload) => seen.push([name, payload]));
    services.events.emit('exportsChanged', { projectId: 3 });
    services.events.emit('shareChanged', { active: false, exportId: null, endedReason: 'expired' });
    stop();
    services.events.emit('exportsChanged', { projectId: 4 });
    expect(seen).toEqual([
      ['onExportsChanged', { projectId: 3 }],
      ['onShareChanged', { active: false, exportId: null, endedReason: 'expired' }],
    ]);
  });
});
