import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import sharp from 'sharp';
import { imageFromBytes, imageToBytes, type RgbImage } from './image';

/** Formats we read and write. Reading also accepts anything else libvips decodes (GIF, TIFF, AVIF). */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

const EXTENSION_FORMATS: Record<string, ImageFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
};

const READABLE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** True when a file name looks like an image we can read (by extension; content is checked on read). */
export function isImageFileName(name: string): boolean {
  return READABLE_EXTENSIONS.has(extname(name).toLowerCase());
}

export function formatFromPath(path: string): ImageFormat {
  const format = EXTENSION_FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new Error(`${path}: cannot tell the image format from extension '${extname(path)}' (expected .png, .jpg, .jpeg or .webp)`);
  }
  return format;
}

export interface DecodeOptions {
  /** Shrink (never enlarge) so the longer side is at most this many pixels, keeping the aspect ratio. */
  maxSide?: number;
}

/**
 * Decodes PNG/JPEG/WebP/… bytes. EXIF orientation is applied, so phone photos come out upright.
 * `label` names the source (usually the file path) in error messages.
 */
export async function decodeImage(bytes: Uint8Array, label: string, options: DecodeOptions = {}): Promise<RgbImage> {
  try {
    let pipeline = sharp(bytes, { failOn: 'error' }).rotate().toColourspace('srgb');
    if (options.maxSide !== undefined) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return imageFromBytes(info.width, info.height, info.channels, new Uint8Array(data.buffer, data.byteOffset, data.length));
  } catch (error) {
    throw new Error(`${label}: not a readable image (${error instanceof Error ? error.message : String(error)})`);
  }
}

export async function readImage(path: string, options: DecodeOptions = {}): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return decodeImage(bytes, path, options);
}

export interface EncodeOptions {
  /** JPEG/WebP quality 1-100 (default 90). Ignored for PNG, which is lossless. */
  quality?: number;
}

export async function encodeImage(image: RgbImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const quality = options.quality ?? 90;
  const pipeline = sharp(imageToBytes(image), { raw: { width: image.width, height: image.height, channels: 3 } });
  switch (format) {
    case 'png':
      return pipeline.png({ compressionLevel: 6 }).toBuffer();
    case 'jpeg':
      return pipeline.jpeg({ quality, mozjpeg: true }).toBuffer();
    case 'webp':
      return pipeline.webp({ quality }).toBuffer();
  }
}

/** Writes an image, picking the format from the extension and creating parent folders. */
export async function writeImage(path: string, image: RgbImage, options: EncodeOptions = {}): Promise<void> {
  const bytes = await encodeImage(image, formatFromPath(path), options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
