import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, MAX_IMPORT_PIXELS } from '../../../electron/jobs/kinds/decode-image';
import { noisePng } from './fixtures/make-images';

const base = () => sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } });

/** CRC-32 as PNG chunks use it (to forge a header that claims a huge size). */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

describe('decodeImage', () => {
  it.each(['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const)('accepts %s and renders a WebP thumbnail', async (format) => {
    const outcome = await decodeImage(await base().toFormat(format).toBuffer());
    expect(outcome).toMatchObject({ ok: true, image: { format, width: 32, height: 24 } });
    if (!outcome.ok) return;
    expect(await sharp(outcome.image.thumbnail).metadata()).toMatchObject({ format: 'webp', width: 32, height: 24 });
  });

  it('rejects SVG (vector, may reference external files) as an unsupported format', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect(await decodeImage(svg)).toEqual({ ok: false, reason: expect.stringMatching(/^unsupported image format 'svg'/) });
  });

  it('rejects text and truncated images with different reasons', async () => {
    expect(await decodeImage(Buffer.from('just text'))).toEqual({ ok: false, reason: expect.stringMatching(/^not an image/) });
    const png = await noisePng(5, 200, 200);
    expect(await decodeImage(png.subarray(0, png.length >> 1))).toEqual({ ok: false, reason: expect.stringMatching(/^corrupt image: /) });
  });

  it('refuses images over the pixel limit from the header alone', async () => {
    const png = Buffer.from(await base().png().toBuffer());
    // IHDR starts at byte 8: length(4) "IHDR"(4) width(4) height(4) ... crc(4) over type+data (17 bytes).
    png.writeUInt32BE(20_000, 16);
    png.writeUInt32BE(20_000, 20);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
    expect(20_000 * 20_000).toBeGreaterThan(MAX_IMPORT_PIXELS);
    expect(await decodeImage(png)).toEqual({ ok: false, reason: 'image is 20000x20000 pixels; the limit is 100 megapixels' });
  });
});
