import { networkInterfaces } from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { loadOrCreateCertificate } from '../share/certificate';
import { locatePhonePlayer, phonePlayerFiles } from '../share/phone-player-files';
import { DEFAULT_SHARE_TTL_MS, startShareServer, type ShareSession } from '../share/share-server';
import { InvalidInputError } from '../domain/errors';
import type { ExportRecord, ShareAddress, ShareState } from '../domain/export-types';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';

export interface ShareService {
  /**
   * Serves the export's player page and bundle on the LAN behind a fresh token (stopping any earlier share:
   * one at a time). Falls back to 127.0.0.1, with a warning in the state, when the machine has no LAN address.
   */
  start(input: { exportId: number; ttlMs?: number; host?: string }): Promise<ShareState>;
  /** The addresses a phone might reach this machine on (one per network adapter), the suggested one first. */
  addresses(): ShareAddress[];
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
  /** The machine's adapters (default: os.networkInterfaces()); ignored when lanAddress is given. */
  listAddresses?: () => ShareAddress[];
}

export const LOOPBACK_WARNING =
  'No LAN address found: sharing on 127.0.0.1, which a phone cannot reach, so there is no QR code to scan. Connect this computer to the same Wi-Fi as the phone and share again.';

/**
 * Every non-internal IPv4 address with its adapter's name, private ranges (home and office LANs) first. The
 * first private address may still be a Docker bridge or a VPN, which is why the user can pick another.
 */
export function listShareAddresses(interfaces = networkInterfaces()): ShareAddress[] {
  const found: ShareAddress[] = [];
  for (const [adapter, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal)
        found.push({ address: entry.address, adapter, private: isPrivateIpv4(entry.address), likelyVirtual: looksVirtual(adapter) });
    }
  }
  const rank = (a: ShareAddress) => (a.private ? 0 : 2) + (a.likelyVirtual ? 1 : 0);
  return found.sort((a, b) => rank(a) - rank(b));
}

function isPrivateIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Adapter names Docker, VPN and VM software use; a phone on the Wi-Fi rarely reaches these. */
function looksVirtual(adapter: string): boolean {
  return /^(docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|utun|zt|tailscale|ham)/i.test(adapter) || /virtual|vpn|hyper-v|vethernet/i.test(adapter);
}

export function createShareService({ dataDir, events, getExport, lanAddress, listAddresses = () => listShareAddresses() }: ShareServiceDeps): ShareService {
  const addresses = (): ShareAddress[] => {
    if (!lanAddress) return listAddresses();
    const address = lanAddress();
    return address ? [{ address, adapter: 'lan', private: true, likelyVirtual: false }] : [];
  };
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
    start({ exportId, ...options }) {
      return serialized(async () => {
        const record = getExport(exportId);
        await stopCurrent('stopped');
        const available = addresses();
        if (options.host !== undefined && !available.some((candidate) => candidate.address === options.host)) {
          const known = available.map((candidate) => `${candidate.address} (${candidate.adapter})`).join(', ') || 'none';
          throw new InvalidInputError(`host: ${options.host} is not an address of this machine's network adapters (available: ${known})`);
        }
        const lan = options.host ?? available[0]?.address;
        const host = lan ?? '127.0.0.1';
        const certificate = await loadOrCreateCertificate(path.join(dataDir, 'tls'), [host]);
        const folder = path.dirname(record.zipPath);
        const session = await startShareServer({
          host,
          certificate,
          ttlMs: options.ttlMs ?? DEFAULT_SHARE_TTL_MS,
          files: phonePlayerFiles(locatePhonePlayer(), {
            manifestPath: path.join(folder, 'manifest.json'),
            modelPath: path.join(folder, 'model.onnx'),
            zipPath: record.zipPath,
          }),
        });
        const shared: ShareState & { active: true } = {
          active: true,
          exportId,
          url: session.url,
          // A QR code of a loopback URL would send the phone to itself: none, and the warning says why.
          qrSvg: lan ? await QRCode.toString(session.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : null,
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
    addresses,
    sharedExportId: () => current?.state.exportId ?? null,
  };
}
