import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatch } from '../../../electron/api/dispatch';
import { callOk, openApiHarness } from './fixtures/api-harness';
import type { Job, Services } from '../../../electron/services/index';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { FakeHub, writeFakeExport } from '../../unit/diffusion/fake-hub';

const REPO = 'acme/tiny-ip2p';
const SLOW_FILE = 'unet/model.onnx';

let root: string;
let services: Services;
let dispatch: Dispatch;
let emitted: { name: string; payload: unknown }[];
let hub: FakeHub;
let gate: Gate;

/**
 * In front of the fake Hub: holds SLOW_FILE after its first bytes until released, so a download can be
 * cancelled half-way through a file deterministically.
 */
class Gate {
  server!: Server;
  url = '';
  ranges: (string | undefined)[] = [];
  holding = false;
  release!: () => void;
  private released = new Promise<void>((resolve) => (this.release = resolve));

  async start(target: string): Promise<void> {
    this.server = createServer((req, res) => {
      const slow = req.url!.endsWith(`/resolve/main/${SLOW_FILE}`);
      if (slow) this.ranges.push(req.headers.range);
      const upstream = request(`${target}${req.url}`, { headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        if (!slow) return void answer.pipe(res);
        answer.once('data', (first: Buffer) => {
          answer.pause();
          res.write(first.subarray(0, 1000), () => {
            this.holding = true;
            void this.released.then(() => {
              res.write(first.subarray(1000));
              answer.resume();
              answer.pipe(res);
            });
          });
        });
      });
      upstream.end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-models-api-'));
  hub = new FakeHub(REPO, await writeFakeExport(path.join(root, 'hub-export')));
  await hub.start();
  gate = new Gate();
  await gate.start(hub.url);
  ({ services, dispatch, emitted } = openApiHarness(root, { hubUrl: gate.url }));
});
afterEach(async () => {
  gate.release();
  await services.close();
  gate.server.closeAllConnections();
  hub.server.closeAllConnections();
  await new Promise((resolve) => gate.server.close(resolve));
  await new Promise((resolve) => hub.server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

function call<T>(method: string, input?: unknown): Promise<T> {
  return callOk<T>(dispatch, method, input);
}

describe('models API (real services, models folder, job runner, local Hub)', () => {
  it('imports a folder (naming a missing file), lists it as a teacher, verifies, and removes it', async () => {
    const broken = path.join(root, 'broken');
    await writeTinyPipeline(broken, { kind: 'instruct-pix2pix' });
    await rm(path.join(broken, 'vae_decoder', 'model.onnx'));
    const refused = await dispatch('models.importFolder', { path: broken });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('vae_decoder/model.onnx') } });
    expect(await call('models.list')).toEqual([]);

    const source = path.join(root, 'tiny');
    await writeTinyPipeline(source, { kind: 'img2img' });
    const model = await call<{ name: string; kind: string; sizeBytes: number; source: string; problem: null }>('models.importFolder', {
      path: source,
      name: 'tiny-img2img',
    });
    expect(model).toMatchObject({ name: 'tiny-img2img', kind: 'img2img', source, problem: null });
    expect(model.sizeBytes).toBeGreaterThan(10_000);
    expect(await call('models.list')).toEqual([model]);
    expect(emitted.map((e) => e.name)).toContain('onModelsChanged');
    const teachers = await call<{ id: string }[]>('teachers.list');
    expect(teachers.map((t) => t.id)).toContain('diffusion:tiny-img2img');

    expect(await call('models.verify', { name: 'tiny-img2img' })).toEqual({ name: 'tiny-img2img', problems: [] });
    writeFileSync(path.join(root, 'data', 'models', 'tiny-img2img', 'unet', 'weights.pb'), 'tampered');
    const verified = await call<{ problems: string[] }>('models.verify', { name: 'tiny-img2img' });
    expect(verified.problems).toEqual([expect.stringContaining('unet/weights.pb: sha256')]);

    await call('models.remove', { name: 'tiny-img2img' });
    expect(await call('models.list')).toEqual([]);
    expect((await call<{ id: string }[]>('teachers.list')).map((t) => t.id)).not.toContain('diffusion:tiny-img2img');
    expect(await dispatch('models.remove', { name: 'tiny-img2img' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  }, 60_000);

  it('downloads a Hub repo as a job with progress; a cancelled download resumes from its partial file', async () => {
    expect(await dispatch('models.download', { repoId: 'no-slash' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining("like 'org/model'") },
    });
    const first = await call<Job>('models.download', { repoId: REPO });
    expect(first.kind).toBe('download-model');
    expect(await dispatch('models.download', { repoId: REPO })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await expect.poll(() => gate.holding, { timeout: 30_000 }).toBe(true);
    await call('jobs.cancel', { jobId: first.id });
    const cancelled = await services.jobs.waitFor(first.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', result: { name: null } });
    expect(await call('models.list')).toEqual([]);
    expect(existsSync(path.join(root, 'data', 'models', '.downloading-acme--tiny-ip2p', `${SLOW_FILE}.part`))).toBe(true);

    gate.release();
    const again = await call<Job>('models.download', { repoId: REPO });
    const done = await services.jobs.waitFor(again.id);
    expect(done.state, done.error ?? '').toBe('done');
    expect(done.result).toMatchObject({ name: 'acme--tiny-ip2p' });
    // The second request for the held file continued from the bytes the first one kept.
    expect(gate.ranges).toHaveLength(2);
    expect(gate.ranges[1]).toMatch(/^bytes=[1-9]\d*-$/);
    const progress = emitted.filter((e) => e.name === 'onJobProgress' && (e.payload as { jobId: number }).jobId === again.id);
    expect(progress.length).toBeGreaterThan(0);
    expect((progress.at(-1)!.payload as { progress: number }).progress).toBe(1);
    const models = await call<{ name: string; kind: string; source: string }[]>('models.list');
    expect(models).toEqual([expect.objectContaining({ name: 'acme--tiny-ip2p', kind: 'instruct-pix2pix', source: REPO, problem: null })]);
    expect((await call<{ id: string }[]>('teachers.list')).map((t) => t.id)).toContain('diffusion:acme--tiny-ip2p');
    expect(await call('models.verify', { name: 'acme--tiny-ip2p' })).toEqual({ name: 'acme--tiny-ip2p', problems: [] });
  }, 60_000);
});
