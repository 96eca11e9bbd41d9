import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHub, writeFakeExport } from './fake-hub';
import { downloadModel, type DownloadProgress } from '../../../native-models/diffusion/models/hf-download';
import { importModelFolder, listInstalledModels, verifyInstalledModel } from '../../../native-models/diffusion/models/model-store';

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
    expect(listed[0]!.manifest?.files.find((f) => f.path === 'unet/model.onnx')?.sha256).toBe(
      createHash('sha256').update(files['unet/model.onnx']!).digest('hex'),
    );
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
    await expect(downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url, retries: 0 })).rejects.toThrow(
      /unet\/model.onnx .* was interrupted .*run the download again to resume/,
    );
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

  it('stops on abort (Ctrl-C) and resumes on the next run', async () => {
    const modelsDir = join(root, 'models-abort');
    const controller = new AbortController();
    await expect(
      downloadModel('tiny/ip2p-onnx', modelsDir, {
        baseUrl: hub.url,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === 'unet/model.onnx' && p.fileBytesDone > 0) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(join(modelsDir, 'tiny--ip2p-onnx'))).toBe(false);
    const model = await downloadModel('tiny/ip2p-onnx', modelsDir, { baseUrl: hub.url });
    expect((await readFile(join(model.dir, 'unet/model.onnx'))).equals(files['unet/model.onnx']!)).toBe(true);
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
    await expect(downloadModel('tiny/ip2p-onnx', join(root, 'models-full'), { baseUrl: hub.url, freeDiskBytes: async () => 1000 })).rejects.toThrow(
      /not enough disk space in .*models-full: tiny\/ip2p-onnx needs 3\d\d\.\d KB more, 1000 B free/,
    );
  });

  it('explains offline failures with the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(downloadModel('tiny/ip2p-onnx', join(root, 'models-offline'), { baseUrl: `http://127.0.0.1:${port}` })).rejects.toThrow(
      `cannot reach http://127.0.0.1:${port}/api/models/tiny/ip2p-onnx/tree/main?recursive=true (ECONNREFUSED), you are offline?`,
    );
    await expect(downloadModel('nope/missing', join(root, 'models-404'), { baseUrl: hub.url })).rejects.toThrow(/answered 404/);
  });
});
