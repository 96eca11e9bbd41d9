/**
 * The preload (sandboxed, context-isolated): exposes exactly one object, `window.studio`, generated from the
 * contract. Calls go over ipcRenderer.invoke to main, which validates them; nothing else of Electron or Node
 * reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiErrorData, FileToStage, ImportSource, StudioApi } from '../api/contract';
import type { Envelope } from '../api/dispatch';
import { blobUrlFor, eventChannel, methodChannel, readApiShapeArgument } from '../api/ipc-channels';
import { buildEventListeners, buildMethodGroups } from '../api/method-groups';

const shape = readApiShapeArgument(process.argv);

// Rejections carry plain ApiErrorData: contextBridge copies plain objects faithfully but not Error subclasses.
// getStudioApi() in the renderer turns them back into StudioApiError.
const groups = buildMethodGroups(shape.methods, async (name, input) => {
  const envelope = (await ipcRenderer.invoke(methodChannel(name), input)) as Envelope;
  if (envelope.ok) return envelope.value;
  throw envelope.error;
});

const events = buildEventListeners(shape.events, (name, listener) => {
  const channel = eventChannel(name);
  const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => void ipcRenderer.removeListener(channel, handler);
});

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
