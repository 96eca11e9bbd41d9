/**
 * Regression tests for issue 14's model-source defects: a malicious hub (paths that climb out of the models
 * folder, bodies longer than declared) and imported folders holding symlinks.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadModel } from '../../../native-models/diffusion/models/hf-download';
import { importModelFolder, verifyInstalledModel } from '../../../native-models/diffusion/models/model-store';
import { writeFakeExport } from '../diffusion/fake-hub';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-harden-models-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A hub that lists whatever entries it is given and answers every download with `body(path)`. */
class MaliciousHub {
  server!: Server;
  url = '';
  bytesSent = 0;
  constructor(
    private readonly entries: { path: string; size: number; gitSha1?: string }[],
    private readonly body: (requestPath: string, res: import('node:http').ServerResponse) => void,
  ) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url!.startsWith('/api/models/')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(this.entries.map((entry) => ({ type: 'file', path: entry.path, size: entry.size, oid: entry.gitSha1 ?? 'x' }))));
        return;
      }
      const write = res.write.bind(res);
      res.write = ((chunk: Buffer, ...rest: never[]) => {
        this.bytesSent += chunk.length;
        return write(chunk, ...rest);
      }) as typeof res.write;
      this.body(req.url!, res);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const gitSha1 = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

async function listTree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('defect 4: hub file paths cannot escape the models folder', () => {
  let hub: MaliciousHub | undefined;
  afterEach(() => hub?.stop());

  for (const evil of ['unet/../../../../escaped.txt', 'unet/..', '/unet/abs.txt', 'unet\\..\\..\\win.txt', 'unet/./x/../../../y.txt']) {
    it(`refuses ${JSON.stringify(evil)} and writes nothing outside`, async () => {
      const folder = await mkdtemp(path.join(root, 'escape-'));
      const modelsDir = path.join(folder, 'a', 'b', 'c', 'models');
      const payload = Buffer.from('owned');
      hub = new MaliciousHub([{ path: evil, size: payload.length, gitSha1: gitSha1(payload) }], (_url, res) => res.end(payload));
      await hub.start();
      const error = await downloadModel('evil/model', modelsDir, { baseUrl: hub.url, include: () => true, freeDiskBytes: async () => 1e12 }).catch(
        (failure: unknown) => failure as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('unsafe file path');
      // Only the models folder (and its hidden staging folder) may exist; no file anywhere.
      const everything = await listTree(folder);
      expect(
        everything.filter(
          (entry) => !entry.startsWith(path.join('a', 'b', 'c', 'models')) && !['a', path.join('a', 'b'), path.join('a', 'b', 'c')].includes(entry),
        ),
      ).toEqual([]);
      const files = [];
      for (const entry of everything) if ((await stat(path.join(folder, entry))).isFile()) files.push(entry);
      expect(files).toEqual([]);
    });
  }
});

describe('defect 8: a download stops at the declared size', () => {
  let hub: MaliciousHub | undefined;
  afterEach(() => hub?.stop());

  it('a body longer than declared is cut off at once and the part file never exceeds the size', async () => {
    const modelsDir = path.join(root, 'oversize', 'models');
    const declared = 1000;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    hub = new MaliciousHub([{ path: 'model_index.json', size: declared }], (_url, res) => {
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    await hub.start();
    const error = await downloadModel('big/model', modelsDir, { baseUrl: hub.url, include: () => true, freeDiskBytes: async () => 1e12 }).catch(
      (failure: unknown) => failure as Error,
    );
    expect((error as Error).message).toMatch(/more than the 1000 bytes/);
    expect(hub.bytesSent).toBeLessThan(8 * 1024 * 1024);
    for (const entry of await listTree(modelsDir)) {
      const info = await stat(path.join(modelsDir, entry));
      if (info.isFile()) expect(info.size).toBeLessThanOrEqual(declared);
    }
  });
});

describe('defect 6: symlinks in an imported model folder', () => {
  it('copies the target of a symlink, hashes it, and verify notices a symlink planted later', async () => {
    const source = path.join(root, 'linked-source');
    await writeFakeExport(source);
    const outsideFile = path.join(root, 'outside-weights.pb');
    await writeFile(outsideFile, Buffer.alloc(4096, 7));
    await rm(path.join(source, 'unet', 'weights.pb'));
    await symlink(outsideFile, path.join(source, 'unet', 'weights.pb'));

    const modelsDir = path.join(root, 'linked-models');
    const model = await importModelFolder(source, modelsDir, { name: 'linked' });
    const installed = path.join(model.dir, 'unet', 'weights.pb');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(await readFile(installed)).toEqual(await readFile(outsideFile));
    expect(model.manifest?.files.map((file) => file.path)).toContain('unet/weights.pb');
    expect(await verifyInstalledModel(model.dir)).toEqual([]);

    await rm(installed);
    await symlink(outsideFile, installed);
    expect(await verifyInstalledModel(model.dir)).toEqual([expect.stringMatching(/^unet\/weights\.pb: .*symlink/)]);
    await writeFile(path.join(model.dir, 'unet', 'planted.onnx'), 'extra');
    expect(await verifyInstalledModel(model.dir)).toContainEqual(expect.stringMatching(/^unet\/planted\.onnx: not in the manifest/));
  });

  it('refuses a dangling or looping symlink with a message naming it', async () => {
    const source = path.join(root, 'dangling-source');
    await writeFakeExport(source);
    await symlink(path.join(root, 'does-not-exist'), path.join(source, 'unet', 'extra.onnx'));
    await expect(importModelFolder(source, path.join(root, 'dangling-models'), { name: 'dangling' })).rejects.toThrow(/unet\/extra\.onnx/);
    expect(await listTree(path.join(root, 'dangling-models'))).toEqual([]);
  });
});
