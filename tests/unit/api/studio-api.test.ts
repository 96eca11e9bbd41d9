/** getStudioApi(): the renderer's single way to the back end, in both modes. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { methodEntries, StudioApiError, type StudioApi } from '../../../electron/api/contract';

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

  it('in browser mode without the URL token, says which URL to open', async () => {
    globals.window = { location: new URL('http://127.0.0.1:5123/') };
    const { getStudioApi } = await import('../../../electron/api/studio-api');
    expect(() => getStudioApi()).toThrow(/token from the URL that `npm run web` printed/);
  });
});
