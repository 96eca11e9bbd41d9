import type { PhoneIoSpec } from './phone-graph';
import type { MobileSupportReport } from './mobile-support';

export type Precision = 'fp32' | 'fp16' | 'int8';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

export interface VariantReport {
  precision: Precision;
  file: string;
  ortFile: string;
  bytes: number;
  ortBytes: number;
  /** Mean PSNR of this variant's output against the fp32 model's on the preview images; null for fp32 itself. */
  psnrVsFp32: number | null;
  /** Median single-image latency on this machine's CPU (onnxruntime-node), milliseconds. */
  cpuLatencyMs: number;
}

export interface BundleFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface BundleManifest {
  format: 'e2gan-bundle';
  formatVersion: 1;
  createdAt: string;
  concept: { id: string; name: string; prompt: string };
  studioVersion: string;
  baseModel: { id: string; sha256: string };
  input: PhoneIoSpec;
  output: PhoneIoSpec;
  opset: number;
  operators: string[];
  mobileSupport: MobileSupportReport[];
  parameters: number;
  loraParameters: number;
  macs: number;
  /**
   * The fp32 graph against the training graph's forward on the preview images (exporter's checkExportFidelity):
   * the max absolute output difference and the absolute bound it was checked against. Bundles written since the
   * bound became relative also record the output scale and fraction it was computed from (tolerance =
   * relativeTolerance × max(1, outputScale)); older bundles lack them, their tolerance was a fixed 1e-4.
   */
  fidelity: { maxAbsDiffVsTrainingGraph: number; tolerance: number; outputScale?: number; relativeTolerance?: number };
  sizeBudget: { bytes: number; smallestVariantBytes: number; fits: boolean };
  /**
   * Held-out quality at the exported size, next to the input-as-output and affine colour-fit baselines (PSNR dB):
   * a model whose psnr is not above both is not worth more than a colour curve. Absent when not measured.
   */
  quality?: { size: number; heldOutPairs: number; psnr: number; identityPsnr: number; affinePsnr: number };
  variants: VariantReport[];
  files: BundleFile[];
}
