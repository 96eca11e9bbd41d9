import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { downloadModel, type DownloadProgress } from '../../../native-models/diffusion/models/hf-download';
import {
  importModelFolder, listInstalledModels, verifyInstalledModel,
} from '../../../native-models/diffusion/models/model-store';

// A folder with the diffusers ONNX file layout; the .onnx contents are random bytes (layout checks don't parse them).
async function writeFakeExport(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {
    'model_index.json': Buffer.from(JSON.stringify({ _class_name: 'OnnxStableDiffusionInstructPix2PixPipeline' })),
    'text_encoder/model.onnx': randomBytes(3000),
    'unet/model.onnx': randomBytes(200_000),
    'unet/weights.pb': randomBytes(150_000),
    'vae_encoder/model.onnx': randomBytes(2000),
    'vae_decoder/model.onnx': randomBytes(2000),
    'tokenizer/vocab.json': Buffer.from(JSON.stringify({ '<|startoftext|>': 0, '<|endoftext|>': 1 })),
    'tokenizer/merges.txt': Buffer.from('#version: 0.2\n'),
    'scheduler/scheduler_config.json': Buffer.from(JSON.stringify({ _class_name: 'EulerAncestralDiscreteScheduler' })),
    'unet/diffusion_pytorch_model.safetensors': randomBytes(500),
  };
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return files;
}

/** A minimal Hub: the tree API (paginated) and /resolve/ with Range support, plus fault injection. */
class FakeHub {
  server!: Server;
  url = '';
  requests: { path: string; range: string | undefined }[] = [];
  dropAfter = new Map<string, number>();
  corrupt = new Set<string>();

  constructor(private readonly repo: string, private readonly files: Record<string, Buffer>) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, this.url);
    this.requests.push({ path: url.pathname, range: req.headers.range });
    const treePrefix = `/api/models/${this.repo}/tree/main`;
    if (url.pathname === treePrefix) {
      const entries = Object.entries(this.files).map(([path, bytes]) =>
        path.endsWith('.onnx') || path.endsWith('.pb')
          ? { type: 'file', path, size: bytes.length, oid: 'x', lfs: { oid: createHash('sha256').update(bytes).digest('hex'), size: bytes.length } }
          : { type: 'file', path, size: bytes.length, oid: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex') });
      entries.push({ type: 'directory', path: 'unet', size: 0, oid: 'y' } as never);
      const page = Number(url.searchParams.get('page') ?? '0');
      const pageSize = 4;
      if ((page + 1) * pageSize < entries.length) res.setHeader('link', `<${treePrefix}?recursive=true&page=${page + 1}>; rel="next"`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(entries.slice(page * pageSize, (page + 1) * pageSize)));
      return;
    }
    const resolvePrefix = `/${this.repo}/resolve/main/`;
    const path = decodeURIComponent(url.pathname.slice(resolvePrefix.length));
    let body = url.pathname.startsWith(resolvePrefix) ? this.files[path] : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    if (this.corrupt.has(path)) body = Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1]! ^ 1])]);
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      res.statusCode = 206;
      res.setHeader('content-range', `bytes ${start}-${body.length - 1}/${body.length}`);
    }
    const slice = body.subarray(start);
    res.setHeader('content-length', slice.length);
    const drop = this.dropAfter.get(path);
    if (drop !== undefined) {
      this.dropAfter.delete(path);
      res.write(slice.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(slice);
  }
}

describe('model manager', () => {
  let root: string;
  let files: Record<string, Buffer>;
  let hub: FakeHub;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'e2gan-models-'));
    files = await writeFakeExport(join(root, 'source'));
    hub = new FakeHub('tiny/ip2p-onnx', files);
    await hub.start();
  });
  afterAll(() => new Promise<void>((resolve) => hub.server.close(() => resolve())));

  it('imports a valid folder, lists it, and verifies it against the manifest', async () => {
    const modelsDir = join(root, 'models-import');
    const model = await importModelFolder(join(root, 'source'), modelsDir, { name: 'my-ip2p' });
    expect(model.pipelineClass).toBe('OnnxStableDiffusionInstructPix2PixPipeline');
    const listed = await listInstalledModels(modelsDir);
    expect(listed.map((m) => [m.name, m.problem])).toEqual([['my-ip2p', undefined]]);
    expect(listed[0]!.manifest?.files.find((f) => f.path === 'unet/model.onnx')?.sha256)
      .toBe(createHash('sha256').update(files['unet/model.onnx']!).digest('hex'));
    expect(await verifyInstalledModel(model.dir)).toEqual([]);
    await writeFile(join(model.dir, 'unet/model.onnx'), 'tampered');
    expect((await verifyInstalledModel(model.dir))[0]).toMatch(/^unet\/model.onnx: sha256 /);
    await expect(importModelFolder(join(root, 'source'), modelsDir, { name: 'my-ip2p' })).rejects.toThrow(/already installed/);
  });

  it('rejects a folder that is not an ONNX export, naming the missing file', async () => {
    const broken = join(root, 'broken');
    await mkdir(join(broken, 'unet'), { recursive: true });
    await writeFile(join(broken, 'model_index.json'), '{}');
    await expect(importModelFolder(broken, join(root, 'models-broken'))).rejects.toThrow(/missing text_encoder\/model.onnx/);
    expect(existsSync(join(root, 'models-broken', 'broken'))).toBe(false);
  });

  it('lists unusable folders with the reason', async () => {
    const modelsDir = join(root, 'models-list');
    await mkdir(join(modelsDir, 'half'), { recursive: true });
    await mkdir(join(modelsDir, '.downloading-x'), { recursive: true });
    const listed = await listInstalledModels(modelsDir);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.problem).toMatch(/missing model_index.json/);
  });

  it('downloads a repo with progress, skipping non-ONNX weights', async () => {
    const modelsDir = join(root, 'models-dl');
    const progress: DownloadProgress[] = [];
    const model = await downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url, onProgress: (p) => progress.push(p) });
    expect(model.name).toBe('tiny--ip2p-onnx');
    for (const [path, bytes] of Object.entries(files)) {
      if (path.endsWith('.safetensors')) expect(existsSync(join(model.dir, path))).toBe(false);
      else expect((await readFile(join(model.dir, path))).equals(bytes)).toBe(true);
    }
    const last = progress[progress.length - 1]!;
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.fileCount).toBe(Object.keys(files).length - 1);
    expect(progress.some((p) => p.bytesDone > 0 && p.bytesDone < p.bytesTotal)).toBe(true);
    expect(model.manifest?.source).toMatchObject({ kind: 'huggingface', repoId: 'tiny/ip2p-onnx' });
    expect((await readdir(modelsDir)).sort()).toEqual(['tiny--ip2p-onnx']);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const modelsDir = join(root, 'models-resume');
    hub.dropAfter.set('unet/model.onnx', 70_000);
    await expect(downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url, retries: 0 }))
      .rejects.toThrow(/unet\/model.onnx .* was interrupted .*run the download again to resume/);
    const part = join(modelsDir, '.downloading-tiny--ip2p-onnx', 'unet/model.onnx.part');
    const partial = (await stat(part)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(200_000);
    hub.requests = [];
    const model = await downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url });
    expect(hub.requests.find((r) => r.path.endsWith('unet/model.onnx'))?.range).toBe(`bytes=${partial}-`);
    expect((await readFile(join(model.dir, 'unet/model.onnx'))).equals(files['unet/model.onnx']!)).toBe(true);
    // Files finished before the interruption are not fetched again.
    expect(hub.requests.some((r) => r.path.endsWith('text_encoder/model.onnx'))).toBe(false);
  });

  it('rejects a file whose sha256 does not match and deletes it', async () => {
    const modelsDir = join(root, 'models-corrupt');
    hub.corrupt.add('vae_decoder/model.onnx');
    try {
      await expect(downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url })).rejects.toThrow(/vae_decoder\/model.onnx: sha256 mismatch/);
    } finally {
      hub.corrupt.clear();
    }
    expect(existsSync(join(modelsDir, '.downloading-tiny--ip2p-onnx', 'vae_decoder/model.onnx.part'))).toBe(false);
    expect(existsSync(join(modelsDir, 'tiny--ip2p-onnx'))).toBe(false);
  });

  it('refuses when the disk is too small', async () => {
    await expect(downloadModel('tiny/ip2p-onnx', join(root, 'models-full'), { baseUrl: hub.url, freeDiskBytes: async () => 1000 }))
      .rejects.toThrow(/not enough disk space in .*models-full: tiny\/ip2p-onnx needs 3\d\d\.\d KB more, 1000 B free/);
  });

  it('explains offline failures with the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(downloadModel('tiny/ip2p-onnx', join(root, 'models-offline'), { baseUrl: `http://127.0.0.1:${port}` }))
      .rejects.toThrow(`cannot reach http://127.0.0.1:${port}/api/models/tiny/ip2p-onnx/tree/main?recursive=true (ECONNREFUSED), you are offline?`);
    await expect(downloadModel('nope/missing', join(root, 'models-404'), { baseUrl: hub.url })).rejects.toThrow(/answered 404/);
  });
});
