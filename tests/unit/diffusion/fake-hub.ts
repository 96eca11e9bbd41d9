import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

// A folder with the diffusers ONNX file layout; the .onnx contents are random bytes (layout checks don't parse them).
export async function writeFakeExport(dir: string): Promise<Record<string, Buffer>> {
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
export class FakeHub {
  server!: Server;
  url = '';
  requests: { path: string; range: string | undefined }[] = [];
  dropAfter = new Map<string, number>();
  corrupt = new Set<string>();

  constructor(
    private readonly repo: string,
    private readonly files: Record<string, Buffer>,
  ) {}

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
          : { type: 'file', path, size: bytes.length, oid: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex') },
      );
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
