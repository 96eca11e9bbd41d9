/**
 * Regression tests for the browser-mode defects of issue 14, each against the real server in a child process
 * (so "the server crashed" is observable as that process exiting).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { StudioApiError, type Job } from '../../../electron/api/contract';
import type { WsStudioApi } from '../../../electron/api/ws-client';
import { connectWsApi } from '../../support/ws-api';
import { WS_MAX_PAYLOAD_BYTES } from '../../../electron/api/ws-protocol';
import { httpCall, rawExchange, startBrowserModeChild, type BrowserModeChild } from './fixtures/browser-mode';

vi.setConfig({ testTimeout: 30_000 });

const MAX_STAGING_BYTES = 200_000;
const MAX_UPLOAD_BYTES = 100_000;

let root: string;
let server: BrowserModeChild;
let api: WsStudioApi;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-harden-web-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Each defect gets its own server, so one crash cannot hide the others. */
function freshServerPerGroup(): void {
  beforeAll(async () => {
    const folder = await mkdtemp(path.join(root, 'group-'));
    server = await startBrowserModeChild(folder, { maxUploadBytes: MAX_UPLOAD_BYTES, maxStagingBytes: MAX_STAGING_BYTES });
    api = connectWsApi(server);
  });
  afterAll(async () => {
    api?.dispose();
    await server?.stop();
  });
}

const upload = (name: string, body: Buffer, headers: Record<string, string> = {}) =>
  httpCall(server.port, `/upload?token=${server.token}&name=${encodeURIComponent(name)}`, { method: 'POST', body, headers });

async function expectServerAlive(): Promise<void> {
  expect(server.exited(), `browser mode died:\n${server.stderr()}`).toBeNull();
  const page = await httpCall(server.port, `/?token=${server.token}`);
  expect(page.status).toBe(200);
}

function openRawSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { maxPayload: 0 });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeCodeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', (code) => resolve(code));
  });
}

const upgradeHeaders = (port: number) =>
  `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

describe('defect 1: a malformed request-target in a WebSocket upgrade', () => {
  freshServerPerGroup();

  it('answers 400 and the server keeps running', async () => {
    const { text } = await rawExchange(server.port, `GET http://[ HTTP/1.1\r\n${upgradeHeaders(server.port)}`);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    await expectServerAlive();
  });
});

describe('defect 2: one bad WebSocket frame', () => {
  freshServerPerGroup();

  it('a text frame with invalid UTF-8 closes that socket (1007), not the server', async () => {
    const socket = await openRawSocket();
    const closed = closeCodeOf(socket);
    socket.send(Buffer.from([0xf8, 0x88, 0x80, 0x80]), { binary: false });
    expect(await closed).toBe(1007);
    await expectServerAlive();
  });

  it('a frame over the payload limit closes that socket (1009), not the server', async () => {
    const socket = await openRawSocket();
    const closed = closeCodeOf(socket);
    socket.send(Buffer.alloc(WS_MAX_PAYLOAD_BYTES + 1, 0x20), { binary: false });
    expect(await closed).toBe(1009);
    await expectServerAlive();
  });
});

describe('defect 2: API size limits fit the WebSocket payload limit', () => {
  freshServerPerGroup();

  it('the largest legitimate imports.start call fits under the payload limit and gets an answer', async () => {
    // 100,000 staged uploads with realistic names: the contract's maximum count. The project does not exist, so
    // the answer (not_found) shows the call was read, validated and dispatched without queuing 100,000 files.
    const sources = Array.from({ length: 100_000 }, (_, index) => ({
      path: path.join(server.staging, '0b7a3f1e-5d55-4c1f-9a3e-2f6f1c9d8e7a', 'holiday-2026', `IMG_${String(index).padStart(6, '0')}.jpeg`),
      name: `holiday-2026/IMG_${String(index).padStart(6, '0')}.jpeg`,
    }));
    const message = JSON.stringify({ type: 'call', id: 1, method: 'imports.start', input: { projectId: 999_999, sources } });
    expect(Buffer.byteLength(message)).toBeLessThan(WS_MAX_PAYLOAD_BYTES);
    const answer = await api.imports.start({ projectId: 999_999, sources }).catch((error: unknown) => error);
    expect((answer as StudioApiError).code).toBe('not_found');
    await expectServerAlive();
  });
});

describe('defect 3: every path-taking method is confined to the upload staging folder', () => {
  freshServerPerGroup();

  let outside: string;
  let conceptId: number;
  let projectId: number;

  beforeAll(async () => {
    outside = path.join(root, 'private');
    await mkdir(path.join(outside, 'model', 'unet'), { recursive: true });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    await writeFile(path.join(outside, 'secret.input.png'), png);
    await writeFile(path.join(outside, 'secret.target.png'), png);
    await writeFile(path.join(outside, 'model', 'model_index.json'), '{}');
    const project = await api.projects.create({ name: 'Confined' });
    projectId = project.id;
    conceptId = (await api.concepts.create({ projectId, name: 'c' })).id;
  });

  async function refusal(call: () => Promise<unknown>): Promise<string> {
    const error = await call().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error, 'the call was accepted').toBeInstanceOf(StudioApiError);
    const data = (error as StudioApiError).data;
    expect(data.code).toBe('invalid_input');
    return data.message;
  }

  const existing = () => [path.join(outside, 'secret.input.png'), path.join(outside, 'secret.target.png')];
  const missing = () => [path.join(outside, 'nope.input.png'), path.join(outside, 'nope.target.png')];

  it('pairs.importPaired reads no file outside staging, and says the same for existing and missing paths', async () => {
    const forExisting = await refusal(() => api.pairs.importPaired({ conceptId, sources: existing().map((p) => ({ path: p })) }));
    const forMissing = await refusal(() => api.pairs.importPaired({ conceptId, sources: missing().map((p) => ({ path: p })) }));
    expect(forExisting).toContain('not allowed');
    expect(forExisting.replace(existing()[0]!, 'P')).toBe(forMissing.replace(missing()[0]!, 'P'));
    expect(await api.pairs.list({ conceptId })).toEqual([]);
  });

  it('models.importFolder copies no folder from outside staging', async () => {
    const forExisting = await refusal(() => api.models.importFolder({ path: path.join(outside, 'model') }));
    const forMissing = await refusal(() => api.models.importFolder({ path: path.join(outside, 'no-model') }));
    expect(forExisting).toContain('not allowed');
    expect(forExisting.replace(path.join(outside, 'model'), 'P')).toBe(forMissing.replace(path.join(outside, 'no-model'), 'P'));
  });

  it('exports.start reads no run folder from outside staging', async () => {
    const forExisting = await refusal(() => api.exports.start({ projectId, runPath: outside, precisions: [] }));
    const forMissing = await refusal(() => api.exports.start({ projectId, runPath: path.join(outside, 'gone'), precisions: [] }));
    expect(forExisting).toContain('not allowed');
    expect(forExisting.replace(outside, 'P')).toBe(forMissing.replace(path.join(outside, 'gone'), 'P'));
  });

  it('a folder allowed with --allow-path is readable, its neighbours are not', async () => {
    const allowed = await mkdtemp(path.join(root, 'allowed-'));
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#654321' } })
      .png()
      .toBuffer();
    await writeFile(path.join(allowed, 'ok.input.png'), png);
    await writeFile(path.join(allowed, 'ok.target.png'), png);
    const child = await startBrowserModeChild(await mkdtemp(path.join(root, 'allow-')), { allowedPathRoots: [allowed] });
    const client = connectWsApi(child);
    try {
      const project = await client.projects.create({ name: 'Allowed' });
      const concept = await client.concepts.create({ projectId: project.id, name: 'c' });
      const result = await client.pairs.importPaired({ conceptId: concept.id, sources: [{ path: allowed }] });
      expect(result.pairIds).toHaveLength(1);
      const outsideAllowed = await client.pairs
        .importPaired({ conceptId: concept.id, sources: [{ path: path.join(allowed, '..', 'private') }] })
        .catch((e: StudioApiError) => e);
      expect((outsideAllowed as StudioApiError).message).toContain('not allowed');
      expect(existsSync(path.join(allowed, 'ok.input.png')), 'files outside staging are never deleted').toBe(true);
    } finally {
      client.dispose();
      await child.stop();
    }
  });

  it('a staging path climbing out with .. is refused too', async () => {
    const sneaky = path.join(server.staging, '..', '..', 'private', 'secret.input.png');
    await refusal(() => api.pairs.importPaired({ conceptId, sources: [{ path: sneaky }] }));
  });
});

describe('defect 7: uploads', () => {
  freshServerPerGroup();

  it('refuses a POST from another origin even with the token cookie', async () => {
    const page = await httpCall(server.port, `/?token=${server.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const foreign = await httpCall(server.port, `/upload?name=x.png`, {
      method: 'POST',
      body: Buffer.from('x'),
      headers: { cookie, origin: `http://127.0.0.1:${server.port + 1}`, 'sec-fetch-site': 'same-site' },
    });
    expect(foreign.status).toBe(403);
    const siteOnly = await httpCall(server.port, `/upload?name=x.png`, {
      method: 'POST',
      body: Buffer.from('x'),
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(siteOnly.status).toBe(403);
    const own = await httpCall(server.port, `/upload?name=x.png`, {
      method: 'POST',
      body: Buffer.from('x'),
      headers: { cookie, origin: server.origin, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(200);
  });

  it('deletes staged files once their import is done', async () => {
    const project = await api.projects.create({ name: 'Cleanup' });
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const staged = JSON.parse((await upload('cleanup/red.png', png)).body) as { path: string; name: string };
    expect(existsSync(staged.path)).toBe(true);
    const finished = new Promise<Job>((resolve) => {
      const stop = api.events.onJobFinished(({ job }) => {
        if (job.kind === 'import-images' && job.projectId === project.id) {
          stop();
          resolve(job);
        }
      });
    });
    await api.imports.start({ projectId: project.id, sources: [staged] });
    expect((await finished).state).toBe('done');
    await expect.poll(() => existsSync(staged.path)).toBe(false);
    expect(await api.images.list({ projectId: project.id })).toHaveLength(1);
  });

  it('caps the staging folder: uploads past the cap get 413 and leave nothing behind', async () => {
    const before = await readdir(server.staging);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await upload(`cap/${i}.bin`, Buffer.alloc(60_000, i))).status);
    expect(answers.slice(0, 3)).toEqual([200, 200, 200]);
    expect(answers.slice(3)).toEqual([413, 413]);
    expect((await readdir(server.staging)).length - before.length).toBe(3);
  });
});

describe.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('defect 7: uploads on a nearly full disk', () => {
  it('are refused with 507 "disk full" before they take the last 512 MiB', async () => {
    const folder = await mkdtemp(path.join(root, 'small-disk-'));
    const child = await startBrowserModeChild(folder, {}, {}, '530m');
    try {
      const small = await httpCall(child.port, `/upload?token=${child.token}&name=a.bin`, { method: 'POST', body: Buffer.alloc(1000) });
      expect(small.status).toBe(200);
      const large = await httpCall(child.port, `/upload?token=${child.token}&name=b.bin`, { method: 'POST', body: Buffer.alloc(30 * 1024 * 1024) });
      expect(large.status).toBe(507);
      expect(large.body).toContain('disk full');
    } finally {
      await child.stop();
    }
  });
});

describe('defect 8: HTTP edge cases answer cleanly', () => {
  freshServerPerGroup();

  it('a 413 closes the connection instead of leaving it half-read', async () => {
    const body = Buffer.alloc(MAX_UPLOAD_BYTES + 10_000, 1);
    const head =
      `POST /upload?token=${server.token}&name=big.bin HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
      `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
    const { text, closedByServer } = await rawExchange(server.port, Buffer.concat([Buffer.from(head), body]), 3000);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(closedByServer).toBe(true);
    await expectServerAlive();
  });

  it('a client still writing a large body reads the refusal instead of a reset connection', async () => {
    // Closing a socket with unread request bytes sends a TCP reset, and a client that is still writing
    // (a browser uploading a 30 MB photo) then sees EPIPE/ECONNRESET instead of the answer. The server
    // half-closes and discards the rest of the body for a moment, so the answer arrives every time.
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    for (let i = 0; i < 6; i++) {
      const refused = await httpCall(server.port, `/upload?token=wrong&name=big-${i}.bin`, { method: 'POST', body });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('missing or wrong token');
    }
    await expectServerAlive();
  });

  it('malformed percent-encoding answers 400 without a stack trace', async () => {
    for (const target of [`/%E0%A4%A?token=${server.token}`, `/assets/%?token=${server.token}`, `/upload?token=${server.token}&name=%ZZ`]) {
      const method = target.startsWith('/upload') ? 'POST' : 'GET';
      const response = await httpCall(server.port, target, { method, body: Buffer.from('x') });
      expect(response.status, target).toBe(400);
      expect(response.body).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    }
    await expectServerAlive();
  });

  it('over-long upload names answer 400', async () => {
    const longPath = Array.from({ length: 40 }, (_, i) => `${'d'.repeat(200)}${i}`).join('/');
    const response = await upload(`${longPath}/x.png`, Buffer.from('x'));
    expect(response.status).toBe(400);
    expect(response.body).toContain('too long');
    await expectServerAlive();
  });
});
