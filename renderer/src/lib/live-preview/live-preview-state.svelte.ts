/**
 * State of the live preview panel: the loaded model, the current source (a dropped image or the webcam), the
 * frame loop and its FPS. One frame is in flight at a time; the camera loop grabs the newest frame only when
 * the previous result is back, so a slow backend lowers the FPS instead of building a queue.
 */
import { FpsCounter } from './fps-counter';
import { captureFrame, paintFrame } from './frames';
import type { LoadedModel, PreviewEngine } from './preview-engine';

export type PreviewSource = 'none' | 'image' | 'camera';

export interface PreviewCanvases {
  input: HTMLCanvasElement;
  output: HTMLCanvasElement;
}

export class LivePreviewState {
  model: LoadedModel | null = $state(null);
  loading = $state(false);
  error: string | null = $state(null);
  source: PreviewSource = $state('none');
  fps = $state(0);
  lastMillis = $state(0);
  framesProcessed = $state(0);
  sideBySide = $state(true);

  #engine: PreviewEngine;
  #canvases: PreviewCanvases | null = null;
  #video: HTMLVideoElement | null = null;
  #stream: MediaStream | null = null;
  #image: ImageBitmap | null = null;
  #scratch: HTMLCanvasElement | null = null;
  #fps = new FpsCounter();
  #loadToken = 0;
  #running = false;

  constructor(engine: PreviewEngine) {
    this.#engine = engine;
  }

  attach(canvases: PreviewCanvases, video: HTMLVideoElement, scratch: HTMLCanvasElement): void {
    this.#canvases = canvases;
    this.#video = video;
    this.#scratch = scratch;
  }

  /** Loads a new model (e.g. a new checkpoint landed); the current source keeps running with it. */
  async loadModel(bytes: ArrayBuffer): Promise<void> {
    const token = ++this.#loadToken;
    this.loading = true;
    this.error = null;
    try {
      const loaded = await this.#engine.load(bytes);
      if (token !== this.#loadToken) return;
      this.model = loaded;
      if (this.source === 'image') await this.#processImage();
    } catch (error) {
      if (token === this.#loadToken) this.error = `Could not load the preview model: ${messageOf(error)}`;
    } finally {
      if (token === this.#loadToken) this.loading = false;
    }
  }

  async useImage(file: Blob): Promise<void> {
    this.stopCamera();
    try {
      this.#image?.close();
      this.#image = await createImageBitmap(file);
      this.source = 'image';
      await this.#processImage();
    } catch (error) {
      this.error = `Could not read that image: ${messageOf(error)}`;
    }
  }

  async startCamera(): Promise<void> {
    if (!this.#video) return;
    this.stopCamera();
    try {
      this.#stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      this.#video.srcObject = this.#stream;
      await this.#video.play();
      this.source = 'camera';
      this.error = null;
      this.#fps.reset();
      this.#running = true;
      requestAnimationFrame(() => void this.#cameraLoop());
    } catch (error) {
      this.stopCamera();
      this.error = `Could not start the camera: ${messageOf(error)}`;
    }
  }

  stopCamera(): void {
    this.#running = false;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    if (this.#video) this.#video.srcObject = null;
    if (this.source === 'camera') this.source = 'none';
    this.fps = 0;
  }

  dispose(): void {
    this.stopCamera();
    this.#image?.close();
    this.#engine.dispose();
  }

  async #cameraLoop(): Promise<void> {
    if (!this.#running || !this.#video) return;
    if (this.model && this.#video.readyState >= 2) {
      try {
        await this.#processSource(this.#video);
        this.fps = Math.round(this.#fps.tick(performance.now()) * 10) / 10;
      } catch (error) {
        this.error = messageOf(error);
      }
    }
    if (this.#running) requestAnimationFrame(() => void this.#cameraLoop());
  }

  async #processImage(): Promise<void> {
    if (!this.#image || !this.model) return;
    try {
      await this.#processSource(this.#image);
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  async #processSource(source: HTMLVideoElement | ImageBitmap): Promise<void> {
    const model = this.model;
    if (!model || !this.#canvases || !this.#scratch) return;
    const frame = captureFrame(source, model.width, model.height, this.#scratch);
    paintFrame({ ...frame, pixels: frame.pixels.slice(0) }, this.#canvases.input);
    const result = await this.#engine.run(frame);
    paintFrame(result.frame, this.#canvases.output);
    this.lastMillis = Math.round(result.millis);
    this.framesProcessed += 1;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
