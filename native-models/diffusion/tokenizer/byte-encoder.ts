/**
 * GPT-2/CLIP byte-level alphabet: every byte maps to a printable unicode character, so BPE never sees
 * whitespace or control characters and any UTF-8 text is representable by the vocabulary.
 */
function buildByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  const isPrintable = new Set(printable);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (isPrintable.has(b)) {
      table[b] = String.fromCodePoint(b);
    } else {
      // Non-printable bytes are shifted past the byte range, in order, exactly as the vocabulary expects.
      table[b] = String.fromCodePoint(256 + next);
      next++;
    }
  }
  return table;
}

export const byteToUnicode: readonly string[] = buildByteToUnicode();

const utf8 = new TextEncoder();

export function encodeBytes(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += byteToUnicode[byte];
  return out;
}
