// Shapes the presentational components take; state classes map API records onto them.

export interface Thumbnail {
  id: string;
  url: string;
  /** The full-size original, for the viewer. */
  fullUrl: string;
  name: string;
  width: number;
  height: number;
  bytes: number;
}

export interface SkippedFile {
  name: string;
  reason: string;
}

export interface ProgressView {
  /** 0..1 */
  fraction: number;
  label: string;
}

export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectionView {
  state: ConnectionStateName;
  mode: 'electron' | 'browser';
  version?: string;
}
