/**
 * Messages between the live-preview engine (UI thread) and its onnxruntime-web worker. Pixel buffers travel as
 * transferred ArrayBuffers so a camera frame is never copied on the way in or out.
 */

export type PreviewBackend = 'webgpu' | 'wasm';

/** An RGBA uint8 frame, row-major, width*height*4 bytes (the phone graph's NHWC layout). */
export interface RgbaFrame {
  width: number;
  height: number;
  pixels: ArrayBuffer;
}

export type WorkerRequest =
  | { type: 'load'; requestId: number; model: ArrayBuffer; backends: readonly PreviewBackend[] }
  | { type: 'run'; requestId: number; frame: RgbaFrame };

export interface ModelInfo {
  backend: PreviewBackend;
  inputName: string;
  outputName: string;
  /** The fixed size the model was exported at; frames are resized to it before running. */
  width: number;
  height: number;
}

export type WorkerResponse =
  | { type: 'loaded'; requestId: number; info: ModelInfo; failures: string[] }
  | { type: 'result'; requestId: number; frame: RgbaFrame; millis: number }
  | { type: 'error'; requestId: number; message: string };
