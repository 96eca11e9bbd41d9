/**
 * Regression tests for issue 14 defect 8's input edges: display names with invisible or broken characters,
 * the share server's address choice, and the megapixel cap on paired imports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createDeflate, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethod } from '../../../electron/api/contract';
import { createDispatcher } from '../../../electron/api/dispatch';
import { createApiHandlers, nodeAppInfo } from '../../../electron/api/handlers';
import { createServices, type Services } from '../../../electron/services/index';
import { findLanAddress } from '../../../electron/share/lan-address';

describe('display names', () => {
  const create = findMethod('projects.create')!;
  const accepts = (name: string) => create.input.safeParse({ name }).success;

  it('refuses lone surrogates and invisible format characters (bidi overrides, zero-width)', () => {
    for (const bad of ['a\uD800b', 'x\uDC00', 'invoice\u202Egnp.exe', 'zero\u200Bwidth', 'b\uFEFFom', 'soft\u00ADhyphen', '\u2066isolate\u2069']) {
      expect(accepts(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('still accepts real names in any script, emoji and emoji sequences', () => {
    for (const good of ['Watercolor', 'Aquarelle été', '水彩画', 'ألوان مائية', 'Ink 🖌️', 'Family 👨‍👩‍👧', '🏳️‍🌈 pride']) {
      expect(accepts(good), JSON.stringify(good)).toBe(true);
    }
  });
});

describe('paths', () => {
  it('a NUL character in any path is invalid input (found by the fuzz, seed 99: it was an internal error)', () => {
    for (const [method, input] of [
      ['pairs.importPaired', { conceptId: 1, sources: [{ path: '/data/staging/\u0000.png' }] }],
      ['imports.start', { projectId: 1, sources: [{ path: '/x/\u0000' }] }],
      ['models.importFolder', { path: '/models/\u0000' }],
      ['exports.start', { projectId: 1, runPath: '/runs/\u0000', precisions: [] }],
    ] as const) {
      const parsed = findMethod(method)!.input.safeParse(input);
      expect(parsed.success, method).toBe(false);
      expect(parsed.error!.issues[0]!.message).toContain('NUL');
    }
  });
});

describe('share server address', () => {
  const entry = (address: string) => ({ address, family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '', cidr: null });

  it('never picks a public address: with no private one it answers none (the share falls back to loopback and says so)', () => {
    expect(findLanAddress({ eth0: [entry('203.0.113.7')], wwan0: [entry('8.8.4.4')] })).toBeUndefined();
    expect(findLanAddress({ eth0: [entry('203.0.113.7')], wlan0: [entry('10.1.2.3')] })).toBe('10.1.2.3');
  });
});

/** A valid grayscale PNG of width x height black pixels, streamed so the test never holds the raw pixels. */
async function writeHugePng(file: string, width: number, height: number): Promise<void> {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const row = Buffer.alloc(width + 1);
  const rows = Readable.from(
    (function* () {
      for (let y = 0; y < height; y++) yield row;
    })(),
  );
  const compressed: Buffer[] = [];
  const deflate = createDeflate({ level: 9 });
  deflate.on('data', (data: Buffer) => compressed.push(data));
  await pipeline(rows, deflate);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await writeFile(file, Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', Buffer.concat(compressed)), chunk('IEND', Buffer.alloc(0))]));
}

describe('paired imports', () => {
  let root: string;
  let services: Services;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'e2gan-harden-pixels-'));
    services = createServices({ dataDir: path.join(root, 'data') });
  });
  afterAll(async () => {
    await services.close();
    await rm(root, { recursive: true, force: true });
  });

  it('skips images over the import megapixel cap before decoding them', async () => {
    // 12,000 x 9,000 = 108 megapixels: over the 100 MP cap imports use, under sharp's own 268 MP default.
    await writeHugePng(path.join(root, 'huge.input.png'), 12_000, 9_000);
    await writeHugePng(path.join(root, 'huge.target.png'), 12_000, 9_000);
    const dispatch = createDispatcher(createApiHandlers(services, nodeAppInfo('electron', '0', root)));
    const project = services.projects.create({ name: 'P' });
    const concept = services.concepts.create({ projectId: project.id, name: 'c' });
    const answer = await dispatch('pairs.importPaired', {
      conceptId: concept.id,
      sources: [{ path: path.join(root, 'huge.input.png') }, { path: path.join(root, 'huge.target.png') }],
    });
    expect(answer.ok).toBe(true);
    const result = (answer as { value: { pairIds: number[]; skipped: { name: string; reason: string }[] } }).value;
    expect(result.pairIds).toEqual([]);
    expect(result.skipped).toEqual([{ name: 'huge', reason: expect.stringMatching(/12000x9000 pixels; the limit is 100 megapixels/) }]);
  });
});
