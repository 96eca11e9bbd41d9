/**
 * The preload (sandboxed, context-isolated): exposes exactly one object, `window.studio`, generated from the
 * contract. Calls go over ipcRenderer.invoke to main, which validates them; nothing else of Electron or Node
 * reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiErrorData, FileToStage, ImportSource, StudioApi } from '../api/contract';
import type { Envelope } from '../api/dispatch';
import { blobUrlFor, eventChannel, methodChannel, readApiShapeArgument } from '../api/ipc-channels';

const shape = readApiShapeArgument(process.argv);

// Rejections carry plain ApiErrorData: contextBridge copies plain objects faithfully but not Error subclasses.
// getStudioApi() in the renderer turns them back into StudioApiError.
const groups: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
for (const name of shape.methods) {
  const [group, key] = name.split('.') as [string, string];
  (groups[group] ??= {})[key] = async (input?: unknown) => {
    const envelope = (await ipcRenderer.invoke(methodChannel(name), input)) as Envelope;
    if (envelope.ok) return envelope.value;
    throw envelope.error;
  };
}

const events: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
for (const name of shape.events) {
  events[name] = (listener) => {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(eventChannel(name), handler);
    return () => void ipcRenderer.removeListener(eventChannel(name), handler);
  };
}

/** Dropped files in Electron are on disk already: import them from where they are. */
function stageFiles(files: FileToStage[]): Promise<ImportSource[]> {
  const sources: ImportSource[] = [];
  for (const [index, { file, relativePath }] of files.entries()) {
    const filePath = webUtils.getPathForFile(file);
    if (!filePath) {
      const error: ApiErrorData = {
        code: 'invalid_input',
        method: 'stageFiles',
        path: [index],
        expected: 'a file from disk',
        received: `'${file.name}' without a path (created in the page?)`,
        message: `stageFiles: '${file.name}' has no path on disk, so it cannot be imported`,
        issues: [{ path: [index], message: 'no path on disk' }],
      };
      return Promise.reject(error);
    }
    sources.push({ path: filePath, name: relativePath || file.name });
  }
  return Promise.resolve(sources);
}

const studio: StudioApi = {
  ...(groups as unknown as Omit<StudioApi, 'mode' | 'events' | 'blobUrl' | 'stageFiles' | 'connection'>),
  mode: 'electron',
  events: events as unknown as StudioApi['events'],
  blobUrl: blobUrlFor,
  stageFiles,
  // IPC to the own main process cannot drop; the window closes with it.
  connection: { state: 'connected', onChange: () => () => undefined },
};

contextBridge.exposeInMainWorld('studio', studio);
