/**
 * Model onboarding against real services, job runner and a local Hub on 127.0.0.1: a download's plan with its
 * sizes before it starts, reuse of the standard Hugging Face cache, and the Hugging Face token stored encrypted
 * and handed to download jobs in memory only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatch } from '../../../electron/api/dispatch';
import { cachedRepoBlobsDir, huggingFaceCacheDir } from '../../../electron/jobs/hf-cache';
import type { SecretCipher } from '../../../electron/services/hub-token';
import type { Job, Services } from '../../../electron/services/index';
import { FakeHub, writeFakeExport } from '../../unit/diffusion/fake-hub';
import { callOk, openApiHarness } from './fixtures/api-harness';

const REPO = 'acme/tiny-ip2p';
const TOKEN = 'hf_test_0123456789abcdef';

/** Answers 401 unless the request carries TOKEN, then passes it to the fake Hub; records what it saw. */
class TokenGate {
  server!: Server;
  url = '';
  authorizations: (string | undefined)[] = [];

  async start(target: string): Promise<void> {
    this.server = createServer((req, res) => {
      this.authorizations.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end('gated');
        return;
      }
      request(`${target}${req.url}`, { headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      }).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** A reversible stand-in for safeStorage: its output must not contain the token in clear. */
const testCipher: SecretCipher = {
  unavailableReason: () => null,
  encrypt: (text) => Buffer.from(`v1:${Buffer.from(Buffer.from(text).map((byte) => byte ^ 0x5a)).toString('base64')}`),
  decrypt: (data) => Buffer.from(Buffer.from(data.toString().slice(3), 'base64').map((byte) => byte ^ 0x5a)).toString(),
};

let root: string;
let hub: FakeHub;
let files: Record<string, Buffer>;
let services: Services;
let dispatch: Dispatch;
const servers: Server[] = [];

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-onboarding-'));
  files = await writeFakeExport(path.join(root, 'hub-export'));
  hub = new FakeHub(REPO, files);
  await hub.start();
  servers.push(hub.server);
});
afterEach(async () => {
  await services?.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(root, { recursive: true, force: true });
});

const call = <T>(method: string, input?: unknown) => callOk<T>(dispatch, method, input);

/** Writes blobs/<etag> files the way huggingface_hub does (sha256 for LFS files, git blob sha1 otherwise). */
function cacheBlob(cacheDir: string, repoPath: string, contents = files[repoPath]!): void {
  const lfs = repoPath.endsWith('.onnx') || repoPath.endsWith('.pb');
  const original = files[repoPath]!;
  const etag = lfs
    ? createHash('sha256').update(original).digest('hex')
    : createHash('sha1').update(`blob ${original.length}\0`).update(original).digest('hex');
  const dir = cachedRepoBlobsDir(cacheDir, REPO);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, etag), contents);
}

describe('Hugging Face cache location', () => {
  it('follows HF_HUB_CACHE, then HF_HOME/hub, then ~/.cache/huggingface/hub', () => {
    expect(huggingFaceCacheDir({ HF_HUB_CACHE: '/x/hub-cache', HF_HOME: '/y' }, '/home/me')).toBe('/x/hub-cache');
    expect(huggingFaceCacheDir({ HF_HOME: '/y' }, '/home/me')).toBe('/y/hub');
    expect(huggingFaceCacheDir({}, '/home/me')).toBe('/home/me/.cache/huggingface/hub');
  });
});

describe('download plan and cache reuse', () => {
  it('shows the sizes before downloading, then takes verified cached files and fetches only the rest', async () => {
    const cacheDir = path.join(root, 'hf-cache');
    cacheBlob(cacheDir, 'unet/weights.pb');
    cacheBlob(cacheDir, 'model_index.json');
    // Right size, wrong bytes: listed as in the cache, but its hash fails and it is downloaded.
    const corrupt = Buffer.from(files['unet/model.onnx']!);
    corrupt[0]! ^= 0xff;
    cacheBlob(cacheDir, 'unet/model.onnx', corrupt);
    ({ services, dispatch } = openApiHarness(root, { hubUrl: hub.url, hfCacheDir: cacheDir }));

    const plan = await call<{
      files: { path: string; bytes: number; inCache: boolean }[];
      totalBytes: number;
      cachedBytes: number;
      downloadBytes: number;
      freeBytes: number;
      name: string;
    }>('models.plan', { repoId: REPO });
    const wanted = Object.entries(files).filter(([name]) => !name.endsWith('.safetensors'));
    expect(plan.name).toBe('acme--tiny-ip2p');
    expect(plan.files.map((file) => file.path).sort()).toEqual(wanted.map(([name]) => name).sort());
    expect(plan.totalBytes).toBe(wanted.reduce((sum, [, bytes]) => sum + bytes.length, 0));
    expect(plan.cachedBytes).toBe(files['unet/weights.pb']!.length + files['model_index.json']!.length + files['unet/model.onnx']!.length);
    expect(plan.downloadBytes).toBe(plan.totalBytes - plan.cachedBytes);
    expect(plan.freeBytes).toBeGreaterThan(0);
    expect(
      plan.files
        .filter((file) => file.inCache)
        .map((file) => file.path)
        .sort(),
    ).toEqual(['model_index.json', 'unet/model.onnx', 'unet/weights.pb']);
    expect(await dispatch('models.plan', { repoId: 'acme/missing' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining('404') },
    });

    hub.requests.length = 0;
    const messages: string[] = [];
    services.events.on('jobProgress', ({ message }) => message && messages.push(message));
    const job = await call<Job>('models.download', { repoId: REPO });
    const done = await services.jobs.waitFor(job.id);
    expect(done.state, done.error ?? '').toBe('done');
    const fetched = hub.requests
      .filter((r) => r.path.includes('/resolve/'))
      .map((r) => r.path.split('/resolve/main/')[1])
      .sort();
    expect(fetched).toEqual(
      wanted
        .map(([name]) => name)
        .filter((name) => name !== 'unet/weights.pb' && name !== 'model_index.json')
        .sort(),
    );
    expect(done.kind === 'download-model' && done.result?.reusedBytes).toBe(files['unet/weights.pb']!.length + files['model_index.json']!.length);
    expect(messages.at(-1)).toContain('(2 files, 146.5 KB reused from the Hugging Face cache)');
    expect(await call('models.verify', { name: 'acme--tiny-ip2p' })).toEqual({ name: 'acme--tiny-ip2p', problems: [] });
    const installed = path.join(services.dataDir, 'models', 'acme--tiny-ip2p');
    expect(readFileSync(path.join(installed, 'unet', 'model.onnx')).equals(files['unet/model.onnx']!)).toBe(true);
    // The cache itself is left as it was.
    expect(
      readFileSync(path.join(cachedRepoBlobsDir(cacheDir, REPO), createHash('sha256').update(files['unet/model.onnx']!).digest('hex'))).equals(corrupt),
    ).toBe(true);
  }, 60_000);
});

describe('Hugging Face token', () => {
  it('is stored encrypted, used by downloads of gated repos, and never returned or written in clear', async () => {
    const gate = new TokenGate();
    await gate.start(hub.url);
    servers.push(gate.server);
    ({ services, dispatch } = openApiHarness(root, { hubUrl: gate.url, hfCacheDir: path.join(root, 'empty-cache'), secretCipher: testCipher }));

    expect(await call('models.tokenStatus')).toMatchObject({ stored: false, canStore: true });
    // Gated without a token: the plan says why.
    expect(await dispatch('models.plan', { repoId: REPO })).toMatchObject({ ok: false, error: { message: expect.stringContaining('401') } });
    expect(await dispatch('models.setToken', { token: 'has space inside' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const status = await call<Record<string, unknown>>('models.setToken', { token: TOKEN });
    expect(status).toMatchObject({ stored: true, canStore: true });
    expect(JSON.stringify(status)).not.toContain(TOKEN);
    expect(JSON.stringify(await call('models.tokenStatus'))).not.toContain(TOKEN);

    const plan = await call<{ downloadBytes: number }>('models.plan', { repoId: REPO });
    expect(plan.downloadBytes).toBeGreaterThan(0);
    const job = await call<Job>('models.download', { repoId: REPO });
    const done = await services.jobs.waitFor(job.id);
    expect(done.state, done.error ?? '').toBe('done');
    expect(gate.authorizations.at(-1)).toBe(`Bearer ${TOKEN}`);

    // Nothing on disk holds the token in clear: not the encrypted file, not the job rows, not the database.
    const dataDir = services.dataDir;
    const tokenFile = path.join(dataDir, 'secrets', 'hf-token.enc');
    expect(readFileSync(tokenFile).toString('latin1')).not.toContain(TOKEN);
    expect(testCipher.decrypt(readFileSync(tokenFile))).toBe(TOKEN);
    const db = new Database(path.join(dataDir, 'studio.sqlite'), { readonly: true });
    const rows = JSON.stringify(db.prepare('SELECT * FROM jobs').all());
    db.close();
    expect(rows).toContain(REPO);
    expect(rows).not.toContain(TOKEN);

    expect(await call('models.clearToken')).toMatchObject({ stored: false });
    expect(existsSync(tokenFile)).toBe(false);
  }, 60_000);

  it('without a cipher (browser mode) stores nothing and says so', async () => {
    ({ services, dispatch } = openApiHarness(root, { hubUrl: hub.url }));
    const status = await call<{ stored: boolean; canStore: boolean; note: string }>('models.tokenStatus');
    expect(status).toMatchObject({ stored: false, canStore: false });
    expect(status.note).toMatch(/no token is stored/);
    expect(await dispatch('models.setToken', { token: TOKEN })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining('not stored') },
    });
    expect(existsSync(path.join(services.dataDir, 'secrets'))).toBe(false);
    // The folder picker is the desktop app's; browser mode says to type the path.
    expect(await dispatch('app.pickFolder', { title: 'Model folder' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('type the folder path') },
    });
  });
});
