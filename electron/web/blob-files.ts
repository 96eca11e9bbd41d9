import { open } from 'node:fs/promises';

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The MIME type of a stored blob, from its first bytes: blobs are content-addressed, so the file name carries
 * no extension. Unknown content is served as octet-stream (with nosniff, the browser will not guess).
 */
export async function sniffImageType(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return imageTypeOf(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function imageTypeOf(head: Uint8Array): string {
  const bytes = Buffer.from(head);
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'GIF8') return 'image/gif';
  if (ascii(4, 8) === 'ftyp' && ['avif', 'avis'].includes(ascii(8, 12))) return 'image/avif';
  if (ascii(0, 4) === 'II*\u0000' || ascii(0, 4) === 'MM\u0000*') return 'image/tiff';
  return 'application/octet-stream';
}
