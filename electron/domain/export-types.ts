import type { BundleManifest, Precision } from '../../native-models/export/manifest';

/**
 * Shapes of exports and sharing, plain data for IPC / WebSocket / worker messages (see types.ts). The manifest
 * is the bundle's own manifest.json (docs/bundle-format.md).
 */
export type { BundleManifest, Precision };

export interface ExportBundlePayload {
  projectId: number;
  conceptId: number | null;
  /** Absolute path of a finished `e2gan train` run folder, or of a studio run's folder (see trainingRunId). */
  runPath: string;
  /**
   * A studio training run: its settings and pairs come from the store (its row and the blob store), its concept
   * from its folder or, for a snapshot, its checkpoint, all in memory. Absent for a CLI run folder.
   */
  trainingRunId?: number;
  /** Variants besides fp32 (fp32 is always exported as the reference). */
  precisions: Precision[];
  /** Side of the phone model's square input; absent = the exporter's default (256). */
  size?: number;
  /** Concept name and prompt written into the manifest. */
  name: string;
  prompt: string;
  /**
   * Export a checkpoint instead of the run's final concept (a run still training, paused or stopped): the one of
   * `step`, the newest when the request was made, or the newest on disk if training has since rotated it away.
   */
  snapshot?: { step: number };
}

export interface ExportBundleResult {
  /** Null when the job was cancelled before the bundle was complete. */
  exportId: number | null;
}

export interface ExportFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportRecord {
  id: number;
  projectId: number;
  conceptId: number | null;
  jobId: number | null;
  runPath: string;
  /** Absolute path of the .zip. */
  zipPath: string;
  zipBytes: number;
  precisions: Precision[];
  manifest: BundleManifest;
  warnings: string[];
  /** The files inside the bundle as its manifest lists them (every file but manifest.json). */
  files: ExportFile[];
  createdAt: string;
}

/** Exactly one of `trainingRunId` (a finished studio training run) or `runPath` (an `e2gan train` run folder). */
export interface StartExportInput {
  projectId: number;
  /** Defaults to the training run's concept. */
  conceptId?: number | null;
  trainingRunId?: number;
  runPath?: string;
  precisions: Precision[];
  name?: string;
  prompt?: string;
  size?: number;
  /** With trainingRunId: export the run's newest checkpoint now, while it trains (or after it stopped early). */
  snapshot?: boolean;
}

/** The "send to phone" server's state; one share at a time. */
export type ShareState =
  | { active: false; exportId: null; endedReason: 'stopped' | 'expired' | null }
  | {
      active: true;
      exportId: number;
      url: string;
      /** The QR code of `url`, an SVG document; null when sharing on loopback (a phone cannot reach it). */
      qrSvg: string | null;
      expiresAt: string;
      host: string;
      /** SHA-256 fingerprint of the per-install certificate, for the one-time trust step on the phone. */
      certificateFingerprint: string;
      /** Set when no LAN address was found and the server listens on 127.0.0.1 (a phone cannot reach it). */
      warning: string | null;
    };

/** A network adapter's IPv4 address that "send to phone" can serve on. */
export interface ShareAddress {
  address: string;
  /** The adapter's name as the OS reports it, e.g. "wlan0", "en0", "docker0", "Wi-Fi". */
  adapter: string;
  /** In a private range (10/8, 172.16/12, 192.168/16): a home or office LAN. */
  private: boolean;
  /** The name looks like a Docker bridge, VPN tunnel or virtual machine adapter. */
  likelyVirtual: boolean;
}
