import sharp from 'sharp';
import { IMPORTABLE_FORMATS, THUMBNAIL_SIZE, type ImageFormat } from '../../services/types';

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  thumbnail: Buffer;
}

export type DecodeOutcome = { ok: true; image: DecodedImage } | { ok: false; reason: string };

const FORMAT_LIST = 'JPEG, PNG, WebP, AVIF, GIF or TIFF';

/**
 * Checks that bytes are a supported, fully decodable image and renders its thumbnail. Decoding the whole image
 * (not only the header) is what catches truncated and corrupt files; sharp's default failOn 'warning' makes
 * libvips' "premature end of data" an error.
 */
export async function decodeImage(bytes: Buffer): Promise<DecodeOutcome> {
  let metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch {
    return { ok: false, reason: `not an image (expected ${FORMAT_LIST})` };
  }
  const format = metadata.format as string | undefined;
  if (!format || !(IMPORTABLE_FORMATS as readonly string[]).includes(format)) {
    return { ok: false, reason: `unsupported image format '${format ?? 'unknown'}' (expected ${FORMAT_LIST})` };
  }
  if (!metadata.width || !metadata.height) {
    return { ok: false, reason: 'corrupt image: no width/height in its header' };
  }
  let thumbnail: Buffer;
  try {
    thumbnail = await sharp(bytes)
      .rotate()
      .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (error) {
    return { ok: false, reason: `corrupt image: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  // EXIF orientations 5-8 rotate by 90 degrees: the displayed size has width and height swapped.
  const swapped = (metadata.orientation ?? 1) >= 5;
  return {
    ok: true,
    image: {
      format: format as ImageFormat,
      width: swapped ? metadata.height : metadata.width,
      height: swapped ? metadata.width : metadata.height,
      thumbnail,
    },
  };
}
