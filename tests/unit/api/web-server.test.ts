/**
 * Browser mode against the real thing: HTTP server on 127.0.0.1, real services (SQLite + job worker), the `ws`
 * package as the WebSocket, and the same typed client the renderer uses.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StudioApiError, type Job } from '../../../electron/api/contract';
import type { WsStudioApi } from '../../../electron/api/ws-client';
import { connectWsApi } from '../../support/ws-api';
import { startWebServer, type WebServer } from '../../../electron/web/server';

let root: string;
let server: WebServer;
let api: WsStudioApi;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-web-'));
  const rendererDir = path.join(root, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  server = await startWebServer({ dataDir: path.join(root, 'data'), port: 0, rendererDir, buildRenderer: 'never' });
  api = connect(server.token);
});

afterAll(async () => {
  api?.dispose();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function connect(token: string): WsStudioApi {
  return connectWsApi({ origin: server.origin, token });
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, so the Host header can be forged for the DNS-rebinding check. */
function raw(pathAndQuery: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: pathAndQuery, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => undefined);
  });
}

describe('token and host protection', () => {
  it('serves the page only with the token, with a strict CSP, and sets a cookie for its assets', async () => {
    expect((await raw('/')).status).toBe(403);
    expect((await raw('/?token=wrong')).status).toBe(403);
    const page = await raw(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toContain(server.token);

    expect((await raw('/assets/app.js')).status).toBe(403);
    const asset = await raw('/assets/app.js', { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
  });

  it('rejects a foreign Host header even with the token (DNS rebinding)', async () => {
    const response = await raw(`/?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } });
    expect(response.status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const response = await raw(`/..%2f..%2fdata%2fstudio.sqlite?token=${server.token}`);
    expect(response.status).toBe(404);
  });

  it('refuses WebSockets without the right token or from a foreign origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    expect(await openSocket(base)).toBe(403);
    expect(await openSocket(`${base}?token=nope`)).toBe(403);
    expect(await openSocket(`${base}?token=${server.token}`, { origin: 'https://evil.example' })).toBe(403);
    expect(await openSocket(`${base}?token=${server.token}`, { origin: server.origin })).toBe('open');
  });

  it('refuses uploads and blobs without the token', async () => {
    expect((await raw('/upload?name=a.png', { method: 'POST', body: Buffer.from('x') })).status).toBe(403);
    expect((await raw(`/blob/${'a'.repeat(64)}`)).status).toBe(403);
  });
});

describe('WebSocket API round trip', () => {
  it('calls methods, receives events and typed errors', async () => {
    const changed: number[] = [];
    const stop = api.events.onProjectsChanged(({ projectId }) => changed.push(projectId));
    const info = await api.app.info();
    expect(info.mode).toBe('browser');
    expect(info.dataDir).toBe(path.join(root, 'data'));

    const project = await api.projects.create({ name: '  Watercolor  ' });
    expect(project.name).toBe('Watercolor');
    expect((await api.projects.list()).map((p) => p.name)).toContain('Watercolor');
    const renamed = await api.projects.rename({ projectId: project.id, name: 'Ink' });
    expect(renamed.name).toBe('Ink');
    await expect.poll(() => changed.filter((id) => id === project.id).length).toBe(2);
    stop();

    const concept = await api.concepts.create({ projectId: project.id, name: 'ink wash', prompt: 'make it ink' });
    const updated = await api.concepts.update({ conceptId: concept.id, teacher: 'diffusion:instruct-pix2pix' });
    expect(updated).toMatchObject({ name: 'ink wash', prompt: 'make it ink', teacher: 'diffusion:instruct-pix2pix' });

    const invalid = await api.projects.rename({ projectId: -1, name: 'x' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(StudioApiError);
    expect((invalid as StudioApiError).data).toMatchObject({ code: 'invalid_input', path: ['projectId'] });

    const missing = await api.projects.get({ projectId: 999_999 }).catch((error: unknown) => error);
    expect((missing as StudioApiError).code).toBe('not_found');
  });

  it('reconnects after the server restarts, and reports disconnected once disposed', async () => {
    const dataDir = path.join(root, 'data-restart');
    const options = { dataDir, rendererDir: path.join(root, 'renderer'), buildRenderer: 'never' as const, token: 'restart-token' };
    let restarting = await startWebServer({ ...options, port: 0 });
    const client = connectWsApi({ origin: restarting.origin, token: 'restart-token' });
    const states: string[] = [];
    client.connection.onChange((state) => states.push(state));
    await client.projects.create({ name: 'Survives restarts' });
    expect(client.connection.state).toBe('connected');

    await restarting.close();
    await expect.poll(() => client.connection.state).toBe('reconnecting');
    // A call made while the server is away waits for the reconnection instead of failing.
    const madeWhileAway = client.projects.list();
    restarting = await startWebServer({ ...options, port: restarting.port });
    await expect.poll(() => client.connection.state, { timeout: 10_000 }).toBe('connected');
    expect((await madeWhileAway).map((p) => p.name)).toEqual(['Survives restarts']);

    client.dispose();
    await expect.poll(() => client.connection.state).toBe('disconnected');
    const closed = await client.projects.list().catch((error: unknown) => error);
    expect((closed as StudioApiError).code).toBe('disconnected');
    expect(states).toEqual(['connected', 'reconnecting', 'connected', 'disconnected']);
    await restarting.close();
  });
});

describe('upload staging and import', () => {
  it('stages uploads under the original relative name, safely', async () => {
    const response = await raw(`/upload?token=${server.token}&name=${encodeURIComponent('holiday/beach.png')}`, {
      method: 'POST',
      body: Buffer.from('not really a png'),
    });
    expect(response.status).toBe(200);
    const staged = JSON.parse(response.body) as { path: string; name: string };
    expect(staged.name).toBe('holiday/beach.png');
    expect(path.basename(staged.path)).toBe('beach.png');
    expect(staged.path.startsWith(path.join(server.services.layout.staging, path.sep))).toBe(true);
    expect(await readFile(staged.path, 'utf8')).toBe('not really a png');

    const escapeAttempt = await raw(`/upload?token=${server.token}&name=${encodeURIComponent('../../../escape.txt')}`, {
      method: 'POST',
      body: Buffer.from('x'),
    });
    const escaped = JSON.parse(escapeAttempt.body) as { path: string; name: string };
    expect(escaped.name).toBe('escape.txt');
    expect(escaped.path.startsWith(path.join(server.services.layout.staging, path.sep))).toBe(true);

    expect((await raw(`/upload?token=${server.token}&name=..`, { method: 'POST', body: Buffer.from('x') })).status).toBe(400);
    expect((await raw(`/upload?token=${server.token}`, { method: 'POST', body: Buffer.from('x') })).status).toBe(400);
  });

  it('imports staged files through the API and serves thumbnails as blobs', async () => {
    const project = await api.projects.create({ name: 'Imports' });
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const staged = await api.stageFiles([
      { file: new File([png], 'red.png', { type: 'image/png' }), relativePath: 'shots/red.png' },
      { file: new File([Buffer.from('garbage')], 'broken.jpg', { type: 'image/jpeg' }) },
    ]);
    expect(staged.map((s) => s.name)).toEqual(['shots/red.png', 'broken.jpg']);

    const finished = new Promise<Job>((resolve) => {
      api.events.onJobFinished(({ job }) => resolve(job));
    });
    const progress: number[] = [];
    api.events.onJobProgress((p) => progress.push(p.progress));
    const job = await api.imports.start({ projectId: project.id, sources: staged });
    expect(job.kind).toBe('import-images');
    const done = await finished;
    expect(done.id).toBe(job.id);
    expect(done.state).toBe('done');
    const result = done.result as { imported: { name: string }[]; skipped: { name: string; reason: string }[] };
    expect(result.imported.map((i) => i.name)).toEqual(['shots/red.png']);
    expect(result.skipped.map((s) => s.name)).toEqual(['broken.jpg']);
    expect(progress.length).toBeGreaterThan(0);

    const images = await api.images.list({ projectId: project.id });
    expect(images).toHaveLength(1);
    const thumbnail = await fetch(api.blobUrl(images[0]!.thumbnailSha256));
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('content-security-policy')).toContain("default-src 'none'");
    const original = await fetch(api.blobUrl(images[0]!.sha256));
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await original.arrayBuffer()).equals(png)).toBe(true);

    const outsideStaging = await api.imports
      .start({ projectId: project.id, sources: [{ path: path.join(root, 'elsewhere.png') }] })
      .catch((error: unknown) => error);
    expect(outsideStaging).toBeInstanceOf(StudioApiError);
    expect((outsideStaging as StudioApiError).code).toBe('invalid_input');
    expect((outsideStaging as StudioApiError).message).toContain('not allowed in browser mode: only uploaded files');
    const sneaky = path.join(server.services.layout.staging, '..', 'studio.sqlite');
    expect(await api.imports.start({ projectId: project.id, sources: [{ path: sneaky }] }).catch((e: StudioApiError) => e.code)).toBe('invalid_input');

    expect((await fetch(api.blobUrl('0'.repeat(64)))).status).toBe(404);
    expect((await fetch(api.blobUrl('not-a-sha'))).status).toBe(400);
    expect(existsSync(server.services.layout.staging)).toBe(true);
  });
});
