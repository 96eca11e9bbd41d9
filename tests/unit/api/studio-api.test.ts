/** getStudioApi(): the renderer's single way to the back end, in both modes. */
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { methodEntries, StudioApiError, type Job, type StudioApi } from '../../../electron/api/contract';

const globals = globalThis as unknown as { window?: unknown };

afterEach(() => {
  delete globals.window;
  vi.resetModules();
});

/** What the preload exposes: methods that reject with plain ApiErrorData (as contextBridge delivers it). */
function bridgedStudio(): StudioApi {
  const groups: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const entry of methodEntries) {
    groups[entry.group] ??= {};
    groups[entry.group][entry.key] = async (input?: unknown) => {
      if (entry.name === 'projects.list') return [{ id: 1, name: 'bridged' }];
      // Start calls: one answers as the contract says, one with a job of another kind, one with no job at all.
      if (entry.name === 'exports.start') return { id: 5, kind: 'export-bundle', state: 'queued' };
      if (entry.name === 'pairs.generate') return { id: 6, kind: 'import-images', state: 'queued' };
      if (entry.name === 'models.download') return null;
      throw { code: 'not_found', method: entry.name, message: `${entry.name}: nothing for ${JSON.stringify(input)}` };
    };
  }
  return {
    ...(groups as object),
    mode: 'electron',
    events: {} as StudioApi['events'],
    blobUrl: (sha: string) => `studio-blob://blobs/${sha}`,
    stageFiles: async () => {
      throw { code: 'invalid_input', method: 'stageFiles', path: [0], expected: 'a file', received: 'x', message: 'no path', issues: [] };
    },
    connection: { state: 'connected', onChange: () => () => undefined },
  } as unknown as StudioApi;
}

describe('getStudioApi', () => {
  it('uses window.studio in Electron and turns bridged rejections into StudioApiError', async () => {
    globals.window = { studio: bridgedStudio(), location: new URL('studio://app/index.html') };
    const { getStudioApi } = await import('../../../electron/api/studio-api');
    const api = getStudioApi();
    expect(api).toBe(getStudioApi());
    expect(api.mode).toBe('electron');
    expect(await api.projects.list()).toEqual([{ id: 1, name: 'bridged' }]);
    const error = await api.projects.get({ projectId: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioApiError);
    expect((error as StudioApiError).code).toBe('not_found');
    expect((error as StudioApiError).message).toBe('projects.get: nothing for {"projectId":7}');
    const staged = await api.stageFiles([]).catch((e: unknown) => e);
    expect((staged as StudioApiError).data).toMatchObject({ code: 'invalid_input', path: [0] });
    expect(api.blobUrl('ab')).toBe('studio-blob://blobs/ab');
  });

  it('checks a start call’s answer against the job kind the contract declares, naming both kinds', async () => {
    globals.window = { studio: bridgedStudio(), location: new URL('studio://app/index.html') };
    const { getStudioApi } = await import('../../../electron/api/studio-api');
    const api = getStudioApi();
    const started = await api.exports.start({ projectId: 1, trainingRunId: 2, precisions: [] });
    expectTypeOf(started).toEqualTypeOf<Job<'export-bundle'>>();
    expect(started).toMatchObject({ id: 5, kind: 'export-bundle' });

    const wrongKind = await api.pairs.generate({ conceptId: 1, imageIds: [1] }).catch((e: unknown) => e);
    expect((wrongKind as StudioApiError).name).toBe('StudioApiError');
    expect((wrongKind as StudioApiError).data).toEqual({
      code: 'internal',
      method: 'pairs.generate',
      message: 'pairs.generate should answer with a job of kind generate-pairs, got a job of kind import-images',
    });
    const noJob = await api.models.download({ repoId: 'org/model' }).catch((e: unknown) => e);
    expect((noJob as StudioApiError).message).toBe('models.download should answer with a job of kind download-model, got an answer that is not a job');
  });

  it('declares the job kind of every call that queues one', () => {
    const startCalls = Object.fromEntries(methodEntries.filter((entry) => entry.jobKind).map((entry) => [entry.name, entry.jobKind]));
    expect(startCalls).toEqual({
      'imports.start': 'import-images',
      'imports.samples': 'import-images',
      'exports.start': 'export-bundle',
      'models.download': 'download-model',
      'pairs.generate': 'generate-pairs',
      'pairs.regenerate': 'generate-pairs',
    });
  });

  it('in browser mode without the URL token, says which URL to open', async () => {
    globals.window = { location: new URL('http://127.0.0.1:5123/') };
    const { getStudioApi } = await import('../../../electron/api/studio-api');
    expect(() => getStudioApi()).toThrow(/token from the URL that `npm run web` printed/);
  });
});
