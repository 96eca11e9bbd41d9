/**
 * Reads Qt resource bundles (.rcc, as written by Qt's `rcc -binary`). GCompris ships its activity images
 * in these, so the corpus needs to take single photos out of them without Qt installed.
 *
 * Layout (qtbase src/corelib/io/qresource.cpp): a header "qres", format version, then the offsets of the
 * tree, data and names sections (version ≥ 3 adds a flags word). Tree nodes are 14 bytes (22 from
 * version 2, with a modification time); node 0 is the root. Names are length + hash + UTF-16BE.
 * File data is a 4-byte length then the bytes; zlib-compressed entries start with the inflated length.
 */
import { inflateSync } from 'node:zlib';

const FLAG_COMPRESSED = 0x01;
const FLAG_DIRECTORY = 0x02;
const FLAG_COMPRESSED_ZSTD = 0x04;

/** Every file in the bundle: its path ("a/b/c.jpg", no leading ":/") and its bytes, decompressed. */
export function readRcc(bytes: Uint8Array, label: string): Map<string, Uint8Array> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new Error(`${label}: not a readable Qt resource bundle (${why})`);
  };
  if (buf.length < 20 || buf.toString('latin1', 0, 4) !== 'qres') fail('no "qres" header');
  const version = buf.readUInt32BE(4);
  if (version < 1 || version > 3) fail(`format version ${version}`);
  const treeOffset = buf.readUInt32BE(8);
  const dataOffset = buf.readUInt32BE(12);
  const namesOffset = buf.readUInt32BE(16);
  const nodeSize = version >= 2 ? 22 : 14;
  const inside = (offset: number, length: number): void => {
    if (offset < 0 || offset + length > buf.length) fail(`offset ${offset}+${length} past the end (${buf.length} bytes)`);
  };
  const nameAt = (offset: number): string => {
    const at = namesOffset + offset;
    inside(at, 6);
    const length = buf.readUInt16BE(at);
    inside(at + 6, length * 2);
    return buf
      .subarray(at + 6, at + 6 + length * 2)
      .swap16()
      .toString('utf16le');
  };
  const files = new Map<string, Uint8Array>();
  const visit = (index: number, path: string, depth: number): void => {
    if (depth > 64) fail('directory tree nested deeper than 64');
    const at = treeOffset + index * nodeSize;
    inside(at, 14);
    const flags = buf.readUInt16BE(at + 4);
    const name = index === 0 ? '' : nameAt(buf.readUInt32BE(at));
    const full = path && name ? `${path}/${name}` : path || name;
    if (flags & FLAG_DIRECTORY) {
      const count = buf.readUInt32BE(at + 6);
      const first = buf.readUInt32BE(at + 10);
      for (let k = 0; k < count; k++) visit(first + k, full, depth + 1);
      return;
    }
    const dataAt = dataOffset + buf.readUInt32BE(at + 10);
    inside(dataAt, 4);
    const size = buf.readUInt32BE(dataAt);
    inside(dataAt + 4, size);
    const raw = buf.subarray(dataAt + 4, dataAt + 4 + size);
    if (flags & FLAG_COMPRESSED_ZSTD) fail(`${full} is zstd-compressed, which this reader does not handle`);
    // zlib entries: 4-byte big-endian inflated size, then a zlib stream.
    files.set(full, flags & FLAG_COMPRESSED ? inflateSync(raw.subarray(4)) : new Uint8Array(raw));
  };
  visit(0, '', 0);
  return files;
}
