import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyCliRun } from '../../support/cli-run';
import {
  ConflictError,
  createServices,
  InvalidInputError,
  NotFoundError,
  type ServiceEvents,
  type Services,
  type ShareState,
} from '../../../electron/services/index';
import { LOOPBACK_WARNING } from '../../../electron/services/share-service';
import { openStore } from '../../../electron/store/store';
import { TrainingRunsRepository } from '../../../electron/store/repositories/training-runs';
import type { TrainSettings } from '../../../native-models/e2gan/trainer';

let root: string;
let runPath: string;
let services: Services;
const events: { name: keyof ServiceEvents; event: unknown }[] = [];

/** GET over HTTPS against the per-install self-signed certificate; resolves with the status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function nextEvent<K extends keyof ServiceEvents>(name: K, accept: (event: ServiceEvents[K]) => boolean): Promise<ServiceEvents[K]> {
  return new Promise((resolve) => {
    const off = services.events.on(name, (event) => {
      if (accept(event)) {
        off();
        resolve(event);
      }
    });
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-ship-'));
  runPath = await trainTinyCliRun(root, 'color-invert');
  // No LAN address: the share falls back to 127.0.0.1, which is also all a test may listen on.
  services = createServices({ dataDir: path.join(root, 'data'), lanAddress: () => undefined });
  for (const name of ['exportsChanged', 'shareChanged', 'jobProgress'] as const) {
    services.events.on(name, (event) => events.push({ name, event }));
  }
}, 120_000);

afterAll(async () => {
  await services?.close();
  await rm(root, { recursive: true, force: true });
});

describe('exports service', () => {
  it('rejects bad export requests with typed errors naming the field', () => {
    const project = services.projects.create({ name: 'Checks' });
    const other = services.projects.create({ name: 'Other' });
    const foreign = services.concepts.create({ projectId: other.id, name: 'Elsewhere' });
    expect(() => services.exports.start({ projectId: 999, runPath, precisions: [] })).toThrow(NotFoundError);
    expect(() => services.exports.start({ projectId: project.id, runPath: 'run', precisions: [] })).toThrow("runPath: expected an absolute path, got 'run'");
    expect(() => services.exports.start({ projectId: project.id, runPath: root, precisions: [] })).toThrow(InvalidInputError);
    expect(() => services.exports.start({ projectId: project.id, runPath: root, precisions: [] })).toThrow('run.json missing');
    expect(() => services.exports.start({ projectId: project.id, runPath, precisions: ['int4' as 'int8'] })).toThrow(
      "precisions: expected fp32, fp16, int8, got 'int4'",
    );
    expect(() => services.exports.start({ projectId: project.id, conceptId: foreign.id, runPath, precisions: [] })).toThrow(NotFoundError);
    expect(() => services.exports.start({ projectId: project.id, precisions: [] })).toThrow('give exactly one of trainingRunId');
    expect(() => services.exports.start({ projectId: project.id, runPath, trainingRunId: 1, precisions: [] })).toThrow('give exactly one of trainingRunId');
    expect(() => services.exports.start({ projectId: project.id, trainingRunId: 999, precisions: [] })).toThrow(NotFoundError);
    expect(services.jobs.list({ projectId: project.id })).toEqual([]);
  });

  it('exports a finished studio training run by id, under its concept, and refuses one still training', async () => {
    const project = services.projects.create({ name: 'Studio run' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Studio concept', prompt: 'invert' });
    // The training run row as the studio's train-run job leaves it: its pairs in the store, its engine settings and
    // pair list on the row, and its folder holding the trained concept (here the CLI run's, trained on the same pairs).
    const imported = await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: path.join(root, 'pairs') }] });
    const { pairs: _pairsDir, steps: _steps, ...engineSettings } = JSON.parse(await readFile(path.join(runPath, 'run.json'), 'utf8')) as TrainSettings;
    const store = openStore(services.dataDir);
    const runs = new TrainingRunsRepository(store.db);
    const settings = {
      preset: 'fast',
      steps: 2,
      size: 32,
      rank: 4,
      learningRate: 0.002,
      executionProvider: 'cpu',
      checkpointEvery: 2,
      previewEvery: 2,
    } as const;
    const training = runs.create({ projectId: project.id, conceptId: concept.id, settings, runPath, totalSteps: 2 });
    runs.setEngine(training.id, { settings: engineSettings, pairIds: imported.pairIds });
    expect(() => services.exports.start({ projectId: project.id, trainingRunId: training.id, precisions: [] })).toThrow(ConflictError);
    runs.setState(training.id, 'done');
    store.close();
    const job = services.exports.start({ projectId: project.id, trainingRunId: training.id, precisions: [] });
    expect(job.payload).toMatchObject({ runPath, conceptId: concept.id, name: 'Studio concept' });
    expect((await services.jobs.waitFor(job.id)).state).toBe('done');
    expect(services.exports.list({ projectId: project.id, conceptId: concept.id }).map((e) => e.precisions)).toEqual([['fp32']]);
  }, 60_000);

  let exportId: number;
  let projectId: number;
  let conceptId: number;

  it('runs the export job off the main thread with progress, records the bundle and lists it per concept', async () => {
    const project = services.projects.create({ name: 'Invert' });
    projectId = project.id;
    conceptId = services.concepts.create({ projectId: project.id, name: 'Invert colours', prompt: 'invert the colours' }).id;
    const changed = nextEvent('exportsChanged', (e) => e.projectId === project.id);
    const job = services.exports.start({ projectId: project.id, conceptId, runPath, precisions: ['fp16', 'fp16'], size: 64 });
    expect(job.kind).toBe('export-bundle');
    expect(job.payload).toMatchObject({ name: 'Invert colours', prompt: 'invert the colours', precisions: ['fp16'] });
    const finished = await services.jobs.waitFor(job.id);
    expect(finished.state, finished.error ?? '').toBe('done');
    await changed;
    const progress = events.filter((e) => e.name === 'jobProgress' && (e.event as { jobId: number }).jobId === job.id);
    expect(progress.map((e) => (e.event as { message: string }).message)).toContain('building and measuring fp16');

    const [record] = services.exports.list({ projectId: project.id, conceptId });
    expect(record).toBeDefined();
    exportId = record!.id;
    expect(finished.kind === 'export-bundle' && finished.result).toEqual({ exportId });
    expect(record!.zipPath.startsWith(path.join(services.dataDir, 'exports'))).toBe(true);
    expect((await readFile(record!.zipPath)).byteLength).toBe(record!.zipBytes);
    expect(record!.precisions).toEqual(['fp32', 'fp16']);
    expect(record!.manifest.concept).toMatchObject({ name: 'Invert colours', prompt: 'invert the colours' });
    expect(record!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['model.onnx', 'model.fp16.onnx', 'model.fp16.ort', 'README.md']));
    expect(record!.manifest.variants.every((v) => v.cpuLatencyMs > 0)).toBe(true);
    // The artist's chosen size, not the training size, and the held-out quality measured at it next to the baselines.
    expect(record!.manifest.input).toMatchObject({ width: 64, height: 64 });
    expect(record!.manifest.quality).toMatchObject({ size: 64 });
    const q = record!.manifest.quality!;
    expect(q.heldOutPairs === 0 ? Number.isNaN(q.psnr) : [q.psnr, q.identityPsnr, q.affinePsnr].every(Number.isFinite)).toBe(true);
    expect(services.exports.list({ projectId: project.id })).toHaveLength(1);
    expect(services.exports.list({ projectId: project.id, conceptId: conceptId + 1000 })).toEqual([]);
    expect(() => services.exports.get({ exportId: exportId + 1000 })).toThrow(NotFoundError);
  }, 60_000);

  it('cancels a running export at the next stage and records nothing', async () => {
    const started = nextEvent('jobProgress', (e) => e.projectId === projectId);
    const job = services.exports.start({ projectId, runPath, precisions: ['fp16', 'int8'], name: 'To cancel' });
    await started;
    services.jobs.cancel({ jobId: job.id });
    const finished = await services.jobs.waitFor(job.id);
    expect(finished.state).toBe('cancelled');
    expect(finished.kind === 'export-bundle' && finished.result).toEqual({ exportId: null });
    expect(existsSync(path.join(services.dataDir, 'exports', `job-${job.id}`))).toBe(false);
    expect(services.exports.list({ projectId })).toHaveLength(1);
  }, 60_000);

  describe('share service', () => {
    it('shares one export at a time behind a token, with QR code, expiry, fingerprint and the loopback warning', async () => {
      expect(services.share.state()).toEqual({ active: false, exportId: null, endedReason: null });
      const state = await services.share.start({ exportId });
      if (!state.active) throw new Error('share did not start');
      expect(state.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{20,}\/$/);
      // On loopback a QR code would point the phone at itself: none (the warning says why). The QR code of a
      // LAN share is decoded in tests/integration/flow/guided-studio-api.test.ts.
      expect(state.qrSvg).toBeNull();
      expect(state.certificateFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(state.warning).toBe(LOOPBACK_WARNING);
      expect(Date.parse(state.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
      expect(existsSync(path.join(services.dataDir, 'tls', 'share-cert.pem'))).toBe(true);
      expect(services.share.state()).toEqual(state);

      const page = await get(state.url);
      expect(page.status).toBe(200);
      const manifest = JSON.parse((await get(`${state.url}manifest.json`)).body);
      expect(manifest.concept.name).toBe('Invert colours');
      await expect(services.exports.delete({ exportId })).rejects.toThrow(ConflictError);

      // Starting again replaces the first share: its URL stops working.
      const second = await services.share.start({ exportId });
      if (!second.active) throw new Error('second share did not start');
      expect(second.url).not.toBe(state.url);
      await expect(get(state.url)).rejects.toThrow();

      const stopped = await services.share.stop();
      expect(stopped).toEqual({ active: false, exportId: null, endedReason: 'stopped' });
      await expect(get(second.url)).rejects.toThrow();
      const shareEvents = events.filter((e) => e.name === 'shareChanged').map((e) => (e.event as ShareState).active);
      expect(shareEvents).toEqual([true, false, true, false]);
    }, 30_000);

    it('stops by itself when the link expires and says so', async () => {
      const expired = nextEvent('shareChanged', (e) => !e.active);
      const state = await services.share.start({ exportId, ttlMs: 300 });
      expect(state.active).toBe(true);
      expect(await expired).toEqual({ active: false, exportId: null, endedReason: 'expired' });
      expect(services.share.state()).toEqual({ active: false, exportId: null, endedReason: 'expired' });
    }, 10_000);

    it('refuses to share an unknown export', async () => {
      await expect(services.share.start({ exportId: exportId + 1000 })).rejects.toThrow(NotFoundError);
    });
  });

  it('deletes an export with its files', async () => {
    const record = services.exports.get({ exportId });
    const changed = nextEvent('exportsChanged', (e) => e.projectId === projectId);
    await services.exports.delete({ exportId });
    await changed;
    expect(existsSync(path.dirname(record.zipPath))).toBe(false);
    expect(services.exports.list({ projectId })).toEqual([]);
    await expect(services.exports.delete({ exportId })).rejects.toThrow(NotFoundError);
  });

  it('removes the bundle folders of a deleted project and stops sharing them', async () => {
    const project = services.projects.create({ name: 'Short-lived' });
    const job = services.exports.start({ projectId: project.id, runPath, precisions: [] });
    expect((await services.jobs.waitFor(job.id)).state).toBe('done');
    const [record] = services.exports.list({ projectId: project.id });
    expect(existsSync(record!.zipPath)).toBe(true);
    const share = await services.share.start({ exportId: record!.id });
    services.projects.delete({ projectId: project.id });
    await expect.poll(() => existsSync(path.dirname(record!.zipPath)), { timeout: 5000 }).toBe(false);
    // The share of the deleted export ends with it.
    await expect.poll(() => services.share.state().active, { timeout: 5000 }).toBe(false);
    if (share.active) await expect(get(share.url)).rejects.toThrow();
  }, 60_000);
});
