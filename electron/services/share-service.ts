import path from 'node:path';
import QRCode from 'qrcode';
import { loadOrCreateCertificate } from '../share/certificate';
import { findLanAddress } from '../share/lan-address';
import { locatePhonePlayer, phonePlayerFiles } from '../share/phone-player-files';
import { DEFAULT_SHARE_TTL_MS, startShareServer, type ShareSession } from '../share/share-server';
import type { ExportRecord, ShareState } from './export-types';
import type { TypedEmitter } from './typed-emitter';
import type { ServiceEvents } from './types';

export interface ShareService {
  /**
   * Serves the export's player page and bundle on the LAN behind a fresh token (stopping any earlier share:
   * one at a time). Falls back to 127.0.0.1, with a warning in the state, when the machine has no LAN address.
   */
  start(exportId: number, options?: { ttlMs?: number }): Promise<ShareState>;
  stop(): Promise<ShareState>;
  state(): ShareState;
  sharedExportId(): number | null;
}

export interface ShareServiceDeps {
  dataDir: string;
  events: TypedEmitter<ServiceEvents>;
  getExport: (id: number) => ExportRecord;
  /** Where the phone can reach this machine; injectable so tests stay on 127.0.0.1. */
  lanAddress?: () => string | undefined;
}

export const LOOPBACK_WARNING =
  'No LAN address found: sharing on 127.0.0.1, which a phone cannot reach. Connect this computer to the same Wi-Fi as the phone and share again.';

export function createShareService({ dataDir, events, getExport, lanAddress = findLanAddress }: ShareServiceDeps): ShareService {
  let current: { session: ShareSession; state: ShareState & { active: true } } | undefined;
  let lastEnded: 'stopped' | 'expired' | null = null;
  // Serializes start/stop so two quick clicks never leave two servers listening.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const state = (): ShareState => current?.state ?? { active: false, exportId: null, endedReason: lastEnded };

  const stopCurrent = async (reason: 'stopped' | 'expired'): Promise<void> => {
    const ending = current;
    if (!ending) return;
    current = undefined;
    lastEnded = reason;
    await ending.session.stop();
    events.emit('shareChanged', state());
  };

  // Deleting a project removes its exports (and their files): a share of one of them must end with it.
  events.on('projectsChanged', () => {
    const shared = current?.state.exportId;
    if (shared === undefined) return;
    try {
      getExport(shared);
    } catch {
      void serialized(() => stopCurrent('stopped'));
    }
  });

  return {
    start(exportId, options = {}) {
      return serialized(async () => {
        const record = getExport(exportId);
        await stopCurrent('stopped');
        const lan = lanAddress();
        const host = lan ?? '127.0.0.1';
        const certificate = await loadOrCreateCertificate(path.join(dataDir, 'tls'), [host]);
        const folder = path.dirname(record.zipPath);
        const session = await startShareServer({
          host,
          certificate,
          ttlMs: options.ttlMs ?? DEFAULT_SHARE_TTL_MS,
          files: phonePlayerFiles(locatePhonePlayer(), {
            manifestPath: path.join(folder, 'manifest.json'), modelPath: path.join(folder, 'model.onnx'), zipPath: record.zipPath,
          }),
        });
        const shared: ShareState & { active: true } = {
          active: true,
          exportId,
          url: session.url,
          qrSvg: await QRCode.toString(session.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
          expiresAt: session.expiresAt.toISOString(),
          host,
          certificateFingerprint: certificate.fingerprint256,
          warning: lan ? null : LOOPBACK_WARNING,
        };
        current = { session, state: shared };
        lastEnded = null;
        void session.ended.then((reason) => {
          // Only the expiry of the share still current is news; a stopped one was already announced.
          if (reason === 'expired' && current?.session === session) void serialized(() => stopCurrent('expired'));
        });
        events.emit('shareChanged', shared);
        return shared;
      });
    },
    stop() {
      return serialized(async () => {
        await stopCurrent('stopped');
        return state();
      });
    },
    state,
    sharedExportId: () => current?.state.exportId ?? null,
  };
}
