/** Moving pixels between camera/images, canvases and the model's fixed-size RGBA frames. */
import type { RgbaFrame } from './protocol';

/** Draws `source` scaled to cover width x height (centre crop, like a phone camera preview) and reads it back. */
export function captureFrame(
  source: CanvasImageSource & { width?: number; height?: number; videoWidth?: number; videoHeight?: number },
  width: number,
  height: number,
  scratch: HTMLCanvasElement,
): RgbaFrame {
  const sourceWidth = source.videoWidth || Number(source.width) || width;
  const sourceHeight = source.videoHeight || Number(source.height) || height;
  scratch.width = width;
  scratch.height = height;
  const context = scratch.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('canvas 2d context unavailable');
  const scale = Math.max(width / sourceWidth, height / sourceHeight);
  const cropWidth = width / scale;
  const cropHeight = height / scale;
  context.drawImage(source, (sourceWidth - cropWidth) / 2, (sourceHeight - cropHeight) / 2, cropWidth, cropHeight, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  return { width, height, pixels: pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength) };
}

/** Paints an RGBA frame onto a canvas at its own size (CSS scales it for display). */
export function paintFrame(frame: RgbaFrame, canvas: HTMLCanvasElement): void {
  canvas.width = frame.width;
  canvas.height = frame.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('canvas 2d context unavailable');
  const expected = frame.width * frame.height * 4;
  if (frame.pixels.byteLength !== expected) {
    throw new Error(`frame has ${frame.pixels.byteLength} bytes, expected ${expected} for ${frame.width}x${frame.height} RGBA`);
  }
  context.putImageData(new ImageData(new Uint8ClampedArray(frame.pixels), frame.width, frame.height), 0, 0);
}
