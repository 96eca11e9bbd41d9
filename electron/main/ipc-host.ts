/**
 * Serves the API over Electron IPC: one ipcMain.handle per contract method (generated), events sent to every
 * window. Validation and error mapping live in the shared dispatcher.
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { methodEntries, type EventPayload, type ApiEventName, type Unsubscribe } from '../api/contract';
import type { Dispatch, Envelope } from '../api/dispatch';
import { APP_ORIGIN, eventChannel, methodChannel } from '../api/ipc-channels';

/** Only our own page (served from studio://app) may call the API, never a frame from elsewhere. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return typeof url === 'string' && (url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`));
}

export function serveApiOverIpc(dispatch: Dispatch): Unsubscribe {
  for (const entry of methodEntries) {
    ipcMain.handle(methodChannel(entry.name), async (event, input: unknown): Promise<Envelope> => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: { code: 'internal', method: entry.name, message: `${entry.name}: refused a call from ${event.senderFrame?.url ?? 'an unknown frame'}` },
        };
      }
      return dispatch(entry.name, input);
    });
  }
  return () => methodEntries.forEach((entry) => ipcMain.removeHandler(methodChannel(entry.name)));
}

export function sendEventToWindows<E extends ApiEventName>(name: E, payload: EventPayload<E>): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed()) window.webContents.send(eventChannel(name), payload);
  }
}
