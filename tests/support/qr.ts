/**
 * Reads a QR code the way a phone camera would: from pixels. An SVG (what the back end sends) is rasterised
 * by sharp first; a PNG is, for example, a browser screenshot of the rendered code.
 */
import jsQR from 'jsqr';
import sharp from 'sharp';

/** The text encoded in the only QR code of the image, or null when none can be found. */
export async function decodeQr(image: Buffer, options: { width?: number } = {}): Promise<string | null> {
  let pipeline = sharp(image, { density: 288 }).flatten({ background: '#ffffff' });
  if (options.width) pipeline = pipeline.resize({ width: options.width });
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const code = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
  return code?.data ?? null;
}

export function decodeQrSvg(svg: string): Promise<string | null> {
  return decodeQr(Buffer.from(svg, 'utf8'), { width: 400 });
}
