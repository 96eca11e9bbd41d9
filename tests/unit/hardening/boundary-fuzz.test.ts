/**
 * Boundary fuzzing (issue 14), bounded in count and time so it runs in the normal suite:
 * - every API method gets schema-shaped payloads and mutations of them over browser mode's WebSocket;
 * - raw HTTP requests against browser mode, raw WebSocket frames after a valid handshake;
 * - raw HTTPS requests against the share server.
 * After each batch: the server still answers, the store passes integrity_check, nothing was written outside
 * the data folder, and every entity an accepted call created is still there (unless an accepted call deleted
 * it). The test prints what it tried and what was lost; the seed in the output reproduces a run.
 */
import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { methodEntries } from '../../../electron/api/contract';
import { loadOrCreateCertificate } from '../../../electron/share/certificate';
import { startShareServer, type ShareSession } from '../../../electron/share/share-server';
import { httpCall, rawExchange, startBrowserModeChild, type BrowserModeChild } from './fixtures/browser-mode';
import { callText, DeepNesting, generateValue, jsonSchemaOf, mutateValue, Rng, type FuzzContext } from './fixtures/fuzz-values';

const SEED = Number(process.env['E2GAN_FUZZ_SEED'] ?? 20261203);
const CALLS_PER_METHOD = 12;
const HTTP_REQUESTS = 240;
const WS_FRAMES = 120;
const SHARE_REQUESTS = 160;
const CANARY = `FUZZCANARY${SEED}`;

let root: string;
let server: BrowserModeChild;
let socket: WebSocket;
const report: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-fuzz-'));
  // Model downloads go to a closed local port: the fuzz must never reach the internet.
  server = await startBrowserModeChild(root, { maxUploadBytes: 2_000_000, maxStagingBytes: 20_000_000 }, { E2GAN_HF_ENDPOINT: 'http://127.0.0.1:9' });
  socket = await openSocket();
});

afterAll(async () => {
  socket?.terminate();
  await server?.stop();
  console.log(`boundary fuzz (seed ${SEED})\n  ${report.join('\n  ')}`);
  await rm(root, { recursive: true, force: true });
});

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { maxPayload: 0 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 1;
/** Sends one call as raw text and waits for its reply (or the socket closing, which counts as its answer). */
async function sendCall(text: string, id: number): Promise<{ kind: string }> {
  if (socket.readyState !== WebSocket.OPEN) socket = await openSocket();
  const current = socket;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish({ kind: 'timeout' }), 15_000);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; envelope?: { ok: boolean; error?: { code: string } } };
      if (message.type === 'reply' && message.id === id) finish({ kind: message.envelope!.ok ? 'ok' : message.envelope!.error!.code });
    };
    const onClose = (code: number) => finish({ kind: `closed ${code}` });
    const finish = (answer: { kind: string }) => {
      clearTimeout(timer);
      current.off('message', onMessage);
      current.off('close', onClose);
      resolve(answer);
    };
    current.on('message', onMessage);
    current.once('close', onClose);
    current.send(text);
  });
}

async function call<T>(method: string, input?: unknown): Promise<T> {
  const id = nextId++;
  if (socket.readyState !== WebSocket.OPEN) socket = await openSocket();
  const current = socket;
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; envelope?: { ok: boolean; value?: T; error?: unknown } };
      if (message.type !== 'reply' || message.id !== id) return;
      current.off('message', onMessage);
      if (message.envelope!.ok) resolve(message.envelope!.value as T);
      else reject(new Error(`${method}: ${JSON.stringify(message.envelope!.error)}`));
    };
    current.on('message', onMessage);
    current.send(JSON.stringify({ type: 'call', id, method, input }));
  });
}

const upload = async (name: string, body: Buffer) =>
  JSON.parse((await httpCall(server.port, `/upload?token=${server.token}&name=${encodeURIComponent(name)}`, { method: 'POST', body })).body) as {
    path: string;
  };

function countInto(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
const formatCounts = (counts: Map<string, number>) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

/** Entities accepted calls created, and whether an accepted call deleted them since. */
const accepted = { projects: new Map<number, boolean>(), concepts: new Map<number, number>() };

async function checkInvariants(batch: string): Promise<void> {
  expect(server.exited(), `browser mode died during ${batch}:\n${server.stderr()}`).toBeNull();
  expect((await httpCall(server.port, `/?token=${server.token}`)).status, `${batch}: page`).toBe(200);
  const info = await call<{ mode: string }>('app.info');
  expect(info.mode).toBe('browser');
  const db = new BetterSqlite3(path.join(server.dataDir, 'studio.sqlite'), { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true }), `${batch}: integrity_check`).toBe('ok');
  } finally {
    db.close();
  }
  // The sandbox holds the data folder and the renderer; anything else was written by escaping a folder.
  expect((await readdir(root)).sort(), `${batch}: files outside the data folder`).toEqual(['data', 'renderer']);
  expect(existsSync(path.join(tmpdir(), CANARY)), `${batch}: canary path created`).toBe(false);
}

async function countLost(): Promise<number> {
  let lost = 0;
  const projects = new Set((await call<{ id: number }[]>('projects.list')).map((project) => project.id));
  for (const [id, deleted] of accepted.projects) if (!deleted && !projects.has(id)) lost += 1;
  for (const [conceptId, projectId] of accepted.concepts) {
    if (accepted.projects.get(projectId) === true || !projects.has(projectId)) continue;
    const concepts = await call<{ id: number }[]>('concepts.list', { projectId });
    if (!concepts.some((concept) => concept.id === conceptId)) lost += 1;
  }
  return lost;
}

async function stopAllJobs(): Promise<void> {
  for (const job of await call<{ id: number }[]>('jobs.list', { states: ['queued', 'running'] })) {
    await call('jobs.cancel', { jobId: job.id }).catch(() => undefined);
  }
}

describe('boundary fuzz', () => {
  let context: FuzzContext;

  beforeAll(async () => {
    const project = await call<{ id: number }>('projects.create', { name: 'Seed' });
    accepted.projects.set(project.id, false);
    const concept = await call<{ id: number }>('concepts.create', { projectId: project.id, name: 'seed concept', teacher: 'pop-art-posterize' });
    accepted.concepts.set(concept.id, project.id);
    const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer();
    const stagedImage = await upload('seed/photo.png', png);
    const pairInput = await upload('pairs/one.input.png', png);
    const pairTarget = await upload('pairs/one.target.png', png);
    const staging = server.staging;
    context = {
      ids: [1, 2, 3, 4, 5, project.id, concept.id, 999_999, 2 ** 31 - 1],
      paths: [
        stagedImage.path,
        pairInput.path,
        pairTarget.path,
        staging,
        `${staging}/`,
        path.dirname(stagedImage.path),
        path.join(staging, '..', 'studio.sqlite'),
        path.join(staging, '..', '..'),
        path.join(staging, '..', 'blobs'),
        path.join(server.dataDir, 'studio.sqlite'),
        '/',
        '/etc/passwd',
        '/proc/self/environ',
        path.join(tmpdir(), CANARY, 'x.png'),
        `${staging}/../../${CANARY}`,
        'C:\\Windows\\win.ini',
        '\\\\attacker\\share\\x.png',
        `${staging}/${'d/'.repeat(300)}x.png`,
        `${staging}/\u0000.png`,
        `${staging}/%2e%2e/x`,
      ],
    };
  });

  it('API methods: schema-shaped and mutated payloads over the WebSocket', async () => {
    const rng = new Rng(SEED);
    const answers = new Map<string, number>();
    const internalErrors: string[] = [];
    let tried = 0;
    for (const [index, entry] of methodEntries.entries()) {
      const schema = jsonSchemaOf(entry.input);
      for (let i = 0; i < CALLS_PER_METHOD; i++) {
        const valid = generateValue(schema, rng, context);
        const input = i % 2 === 0 ? valid : mutateValue(valid, rng);
        const id = nextId++;
        const method = rng.chance(0.03) ? rng.pick(['__proto__.x', 'constructor', 'projects', 'projects.create.x', '']) : entry.name;
        const answer = await sendCall(callText(id, method, input, rng), id);
        tried += 1;
        countInto(answers, answer.kind);
        // JSON nested 100,000 deep is beyond any parser's stack: closing that one socket (1003) is the answer.
        const unparseable = input instanceof DeepNesting && input.depth > 10_000 && answer.kind === 'closed 1003';
        if (!unparseable && (answer.kind === 'internal' || answer.kind === 'timeout' || answer.kind.startsWith('closed'))) {
          internalErrors.push(`${method} ${JSON.stringify(input)?.slice(0, 200)} -> ${answer.kind}`);
        }
        if (answer.kind === 'ok') await noteAccepted(method, input);
      }
      if (index % 10 === 9) {
        await stopAllJobs();
        await checkInvariants(`API batch ${Math.floor(index / 10) + 1}`);
      }
    }
    await stopAllJobs();
    await checkInvariants('API fuzz');
    const lost = await countLost();
    report.push(`API: ${tried} calls over ${methodEntries.length} methods -> ${formatCounts(answers)}; lost ${lost}`);
    expect(internalErrors, internalErrors.join('\n')).toEqual([]);
    expect(lost).toBe(0);
  });

  it('raw HTTP requests against browser mode', async () => {
    const rng = new Rng(SEED + 1);
    const statuses = new Map<string, number>();
    const requests = Array.from({ length: HTTP_REQUESTS }, () => randomHttpRequest(rng));
    for (let start = 0; start < requests.length; start += 12) {
      const answers = await Promise.all(requests.slice(start, start + 12).map((bytes) => rawExchange(server.port, bytes, 400)));
      for (const { text, closedByServer } of answers) {
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
        countInto(statuses, status ?? (closedByServer ? 'closed without answer' : 'no answer (idle)'));
      }
      if ((start / 12) % 5 === 4) await checkInvariants(`HTTP batch ${start / 12 + 1}`);
    }
    await checkInvariants('HTTP fuzz');
    report.push(`HTTP: ${HTTP_REQUESTS} raw requests -> ${formatCounts(statuses)}`);
    expect(statuses.get('500') ?? 0, 'no request may make the server fail').toBe(0);
  });

  it('raw WebSocket frames after a valid handshake', async () => {
    const rng = new Rng(SEED + 2);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < WS_FRAMES; i++) {
      const ws = await openSocket();
      const closed = new Promise<string>((resolve) => {
        ws.on('error', () => undefined);
        ws.once('close', (code) => resolve(`closed ${code}`));
        ws.once('message', () => resolve('answered'));
        setTimeout(() => resolve('still open'), 300);
      });
      const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      raw.write(randomFrame(rng));
      countInto(outcomes, await closed);
      ws.terminate();
      if (i % 40 === 39) await checkInvariants(`WebSocket batch ${(i + 1) / 40}`);
    }
    await checkInvariants('WebSocket fuzz');
    report.push(`WebSocket: ${WS_FRAMES} raw frames -> ${formatCounts(outcomes)}`);
  });

  it('raw HTTPS requests against the share server', async () => {
    const folder = path.join(root, 'data', 'share-fuzz');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'index.html'), '<!doctype html>player');
    await writeFile(path.join(folder, 'model.onnx'), Buffer.alloc(2048, 3));
    const certificate = await loadOrCreateCertificate(path.join(folder, 'tls'), ['127.0.0.1']);
    const share: ShareSession = await startShareServer({
      host: '127.0.0.1',
      certificate,
      files: [
        { route: 'index.html', path: path.join(folder, 'index.html') },
        { route: 'model.onnx', path: path.join(folder, 'model.onnx') },
      ],
    });
    const rng = new Rng(SEED + 3);
    const statuses = new Map<string, number>();
    try {
      for (let start = 0; start < SHARE_REQUESTS; start += 10) {
        const batch = Array.from({ length: 10 }, () => randomShareRequest(rng, share));
        const answers = await Promise.all(batch.map((bytes) => tlsExchange(share.port, bytes)));
        for (const text of answers) countInto(statuses, /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 'closed without answer');
        // The real phone request still works after every batch.
        const good = await tlsExchange(share.port, `GET /s/${share.token}/model.onnx HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        expect(good).toMatch(/^HTTP\/1\.1 200/);
      }
    } finally {
      await share.stop();
    }
    report.push(`share server: ${SHARE_REQUESTS} raw HTTPS requests -> ${formatCounts(statuses)}`);
    expect(statuses.get('200') ?? 0, 'fuzzed requests never guess their way to a file').toBe(0);
    expect(statuses.get('500') ?? 0).toBe(0);
  });
});

async function noteAccepted(method: string, input: unknown): Promise<void> {
  const fields = (input ?? {}) as Record<string, unknown>;
  if (method === 'projects.create') {
    const projects = await call<{ id: number }[]>('projects.list');
    accepted.projects.set(Math.max(...projects.map((p) => p.id)), false);
  } else if (method === 'projects.delete') {
    accepted.projects.set(Number(fields['projectId']), true);
  } else if (method === 'concepts.create') {
    const concepts = await call<{ id: number }[]>('concepts.list', { projectId: fields['projectId'] });
    accepted.concepts.set(Math.max(...concepts.map((c) => c.id)), Number(fields['projectId']));
  }
}

const HTTP_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'G\u0000T', 'get', 'POST '];
const HTTP_TARGETS = (token: string) => [
  '/',
  `/?token=${token}`,
  `/upload?token=${token}&name=x.png`,
  `/upload?token=${token}&name=%`,
  `/upload?token=${token}&name=${'a/'.repeat(600)}b`,
  `/upload?token=${token}&name=..%2F..%2F${CANARY}`,
  `/blob/${'a'.repeat(64)}?token=${token}`,
  `/blob/..%2f..%2fstudio.sqlite?token=${token}`,
  `/assets/%?token=${token}`,
  `/%E0%A4%A?token=${token}`,
  `/${'x'.repeat(9000)}?token=${token}`,
  `/api?token=${token}`,
  'http://[',
  '*',
  `//evil.example/?token=${token}`,
  `/..%2f..%2fdata%2fstudio.sqlite?token=${token}`,
  `/?token=${token}&token=x`,
  '/\u00ff\u00fe',
];

function randomHttpRequest(rng: Rng): Buffer {
  const target = rng.pick(HTTP_TARGETS(server.token));
  const method = rng.pick(HTTP_METHODS);
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '']);
  const headers: string[] = [];
  const host = rng.pick([`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'evil.example', '', `127.0.0.1:${server.port}\r\nHost: evil`]);
  if (rng.chance(0.9)) headers.push(`Host: ${host}`);
  if (rng.chance(0.3)) headers.push(`Origin: ${rng.pick([server.origin, 'http://127.0.0.1:1', 'null', 'https://evil.example'])}`);
  if (rng.chance(0.3)) headers.push(`Sec-Fetch-Site: ${rng.pick(['same-origin', 'same-site', 'cross-site', 'none', '???'])}`);
  if (rng.chance(0.3)) headers.push(`Cookie: e2gan_studio_token_${server.port}=${rng.pick([server.token, 'wrong', ''])}`);
  if (rng.chance(0.2)) headers.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  const body = rng.chance(0.5) ? rng.bytes(rng.int(0, 3000)) : Buffer.alloc(0);
  const declared = rng.pick([String(body.length), String(body.length), '-1', '99999999999', 'abc', `${body.length}, ${body.length + 1}`]);
  if (rng.chance(0.7)) headers.push(`Content-Length: ${declared}`);
  if (rng.chance(0.1)) headers.push('Transfer-Encoding: chunked');
  if (rng.chance(0.1)) headers.push(`X-Long: ${'h'.repeat(rng.pick([100, 20_000]))}`);
  const head = `${method} ${target} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A client frame (masked, as clients must) with random opcode, flags, length field and payload. */
function randomFrame(rng: Rng): Buffer {
  const kind = rng.int(0, 5);
  if (kind === 0) return rng.bytes(rng.int(1, 64)); // not a frame at all
  const opcode = rng.pick([0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb, 0xf]);
  const fin = rng.chance(0.8) ? 0x80 : 0;
  const rsv = rng.chance(0.15) ? rng.pick([0x40, 0x20, 0x10]) : 0;
  const payload =
    kind === 1
      ? Buffer.from(JSON.stringify({ type: 'call', id: rng.int(-5, 5), method: rng.pick(['app.info', 'nope', '']), input: rng.pick([null, {}, []]) }))
      : kind === 2
        ? Buffer.from([0xf8, 0x88, 0x80, 0x80, 0xc0, 0xaf])
        : rng.bytes(rng.int(0, 200));
  const mask = rng.bytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  let lengthField: Buffer;
  if (kind === 3)
    lengthField = Buffer.from([0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // declares ~2^63 bytes
  else if (payload.length < 126) lengthField = Buffer.from([0x80 | payload.length]);
  else lengthField = Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  if (rng.chance(0.1)) lengthField[0]! &= 0x7f; // unmasked client frame: a protocol error
  return Buffer.concat([Buffer.from([fin | rsv | opcode]), lengthField, mask, masked]);
}

function randomShareRequest(rng: Rng, share: ShareSession): string {
  const token = rng.pick([share.token, share.token.slice(0, -1), `${share.token}x`, '', '..', '%00']);
  const route = rng.pick([
    '',
    'index.html',
    'model.onnx',
    '../tls/key.pem',
    '..%2ftls%2fkey.pem',
    'tls/key.pem',
    '%',
    '%E0%A4%A',
    'x'.repeat(5000),
    'MODEL.ONNX',
  ]);
  const method = rng.pick(['GET', 'GET', 'POST', 'HEAD', 'DELETE', 'OPTIONS', 'G\u0000T']);
  const shape = rng.int(0, 3);
  const target = shape === 0 ? `/s/${token}/${route}` : shape === 1 ? `/s/${token}` : shape === 2 ? `/${route}` : `http://[/s/${token}/${route}`;
  // Valid token + real file only via GET are real downloads; the fuzz never sends that combination.
  const safeTarget = method === 'GET' && token === share.token && ['', 'index.html', 'model.onnx'].includes(route) && shape === 0 ? `/s/${token}/nope` : target;
  return `${method} ${safeTarget} HTTP/1.1\r\nHost: ${rng.pick(['127.0.0.1', '', 'evil.example'])}\r\nConnection: close\r\n\r\n`;
}

function tlsExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const tls = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => tls.write(request, 'latin1'));
    const timer = setTimeout(() => tls.destroy(), 3000);
    tls.on('data', (chunk: Buffer) => chunks.push(chunk));
    tls.on('error', () => undefined);
    tls.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}
