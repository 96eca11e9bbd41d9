import sharp from 'sharp';
import { IMPORTABLE_FORMATS, THUMBNAIL_SIZE, type ImageFormat } from '../../domain/types';

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  thumbnail: Buffer;
}

export type DecodeOutcome = { ok: true; image: DecodedImage } | { ok: false; reason: string };

const FORMAT_LIST = 'JPEG, PNG, WebP, AVIF, GIF or TIFF';

/** Checked from the header before decoding, so a decompression bomb never allocates its pixels. */
export const MAX_IMPORT_PIXELS = 100_000_000;

/** libvips reports AVIF as 'heif' with AV1 compression; HEVC-coded HEIF (iPhone HEIC) has no decoder here. */
function importableFormat(format: string | undefined, compression: string | undefined): ImageFormat | 'heic' | undefined {
  if (format === 'heif') return compression === 'av1' ? 'avif' : 'heic';
  if (format && (IMPORTABLE_FORMATS as readonly string[]).includes(format)) return format as ImageFormat;
  return undefined;
}

/**
 * Checks that bytes are a supported, fully decodable image and renders its thumbnail. Decoding the whole image
 * (not only the header) is what catches truncated and corrupt files; sharp's default failOn 'warning' makes
 * libvips' "premature end of data" an error.
 */
export async function decodeImage(bytes: Buffer): Promise<DecodeOutcome> {
  let metadata;
  try {
    // Header only, so no pixel limit here: our own limit below gives the clearer message.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, reason: `not an image (expected ${FORMAT_LIST})` };
  }
  const format = importableFormat(metadata.format, metadata.compression);
  if (format === 'heic') {
    return { ok: false, reason: `HEIC/HEIF photos are not supported; export them as JPEG (expected ${FORMAT_LIST})` };
  }
  if (!format) {
    return { ok: false, reason: `unsupported image format '${metadata.format ?? 'unknown'}' (expected ${FORMAT_LIST})` };
  }
  if (!metadata.width || !metadata.height) {
    return { ok: false, reason: 'corrupt image: no width/height in its header' };
  }
  if (metadata.width * metadata.height > MAX_IMPORT_PIXELS) {
    return {
      ok: false,
      reason: `image is ${metadata.width}x${metadata.height} pixels; the limit is ${MAX_IMPORT_PIXELS / 1e6} megapixels`,
    };
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
      format,
      width: swapped ? metadata.height : metadata.width,
      height: swapped ? metadata.width : metadata.height,
      thumbnail,
    },
  };
}
