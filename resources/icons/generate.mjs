#!/usr/bin/env node
/**
 * Renders icon.svg into the files the packagers want: icon.png (512 px, Linux + window icon), icon.ico
 * (Windows, PNG-compressed entries 16..256 px) and icon.icns (macOS, PNG entries 16..1024 px).
 * Run after editing icon.svg: node resources/icons/generate.mjs
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function renderPng(svg, size) {
  return sharp(svg, { density: Math.ceil((72 * size) / 1024) + 1 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** ICO: 6-byte header, one 16-byte directory entry per image, then the PNG bytes (allowed since Vista). */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2);
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map(({ png }) => png)]);
}

/** ICNS element types holding PNG data, by pixel size. */
export const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };

/** ICNS: 'icns' + total length (big-endian), then per element a 4-char type, its length incl. 8-byte header, data. */
export function encodeIcns(images) {
  const elements = images.map(({ size, png }) => {
    const head = Buffer.alloc(8);
    head.write(ICNS_TYPES[size], 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + elements.reduce((sum, element) => sum + element.length, 0), 4);
  return Buffer.concat([header, ...elements]);
}

async function main() {
  const svg = await readFile(path.join(here, 'icon.svg'));
  const render = async (sizes) => Promise.all(sizes.map(async (size) => ({ size, png: await renderPng(svg, size) })));
  await writeFile(path.join(here, 'icon.png'), await renderPng(svg, 512));
  await writeFile(path.join(here, 'icon.ico'), encodeIco(await render([16, 24, 32, 48, 64, 128, 256])));
  await writeFile(path.join(here, 'icon.icns'), encodeIcns(await render([16, 32, 64, 128, 256, 512, 1024])));
  console.log('wrote icon.png, icon.ico, icon.icns');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
