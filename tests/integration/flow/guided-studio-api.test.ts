/**
 * The API the guided studio (issue 16) adds, over the real services, store, job workers and built-in teachers:
 * importing the sample photos, the effect gallery, accepting / rejecting every pair still to review, the
 * training plan (its split is the one the trainer makes), and choosing the adapter "send to phone" serves on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatch } from '../../../electron/api/dispatch';
import type { Services } from '../../../electron/services/index';
import { createShareService, listShareAddresses, LOOPBACK_WARNING } from '../../../electron/services/share-service';
import { TypedEmitter } from '../../../electron/domain/typed-emitter';
import type { ServiceEvents } from '../../../electron/domain/types';
import { decodeQrSvg } from '../../support/qr';
import { callOk, openApiHarness } from './fixtures/api-harness';

let root: string;
let services: Services;
let dispatch: Dispatch;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-guided-api-'));
  ({ services, dispatch } = openApiHarness(root));
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

const call = <T>(method: string, input?: unknown) => callOk<T>(dispatch, method, input);

describe('guided studio API', () => {
  it('imports the samples, shows every effect on a photo, decides all pending pairs and plans the split', async () => {
    const project = await call<{ id: number }>('projects.create', { name: 'Guided' });
    const job = await call<{ id: number }>('imports.samples', { projectId: project.id });
    const finished = await services.jobs.waitFor(job.id);
    expect(finished.state).toBe('done');
    const images = await call<{ id: number; originalName: string }[]>('images.list', { projectId: project.id });
    expect(images.map((image) => image.originalName).sort()).toEqual(expect.arrayContaining(['coffee.jpg', 'rocket.jpg']));
    // The licence file is not offered as a photo (and so not reported as skipped).
    expect((finished.result as { skipped: unknown[] }).skipped).toEqual([]);

    const gallery = await call<{ teacherId: string; sha256: string }[]>('teachers.gallery', { imageId: images[0]!.id });
    const builtins = (await call<{ id: string; kind: string }[]>('teachers.list')).filter((t) => t.kind === 'builtin');
    expect(gallery.map((tile) => tile.teacherId)).toEqual(builtins.map((t) => t.id));
    expect(new Set(gallery.map((tile) => tile.sha256)).size).toBe(gallery.length);
    expect(await dispatch('teachers.gallery', { imageId: 9999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const concept = await call<{ id: number }>('concepts.create', { projectId: project.id, name: 'Sepia', teacher: 'sepia-vintage' });
    const generation = await call<{ id: number }>('pairs.generate', { conceptId: concept.id, imageIds: images.slice(0, 7).map((image) => image.id) });
    expect((await services.jobs.waitFor(generation.id)).state).toBe('done');
    const pairs = await call<{ id: number; status: string }[]>('pairs.list', { conceptId: concept.id });
    expect(pairs).toHaveLength(7);
    await call('pairs.setStatus', { pairId: pairs[0]!.id, status: 'rejected' });

    const before = await call<{ trainPairIds: number[]; heldOutPairIds: number[]; unreviewedPairIds: number[]; excluded: unknown[] }>('training.plan', {
      conceptId: concept.id,
      preset: 'fast',
    });
    expect(before.unreviewedPairIds).toHaveLength(6);
    expect(before.excluded).toEqual([{ pairId: pairs[0]!.id, reason: 'rejected' }]);

    const accepted = await call<{ id: number; status: string }[]>('pairs.setStatusAll', { conceptId: concept.id, status: 'accepted' });
    expect(accepted.map((pair) => pair.id)).toEqual(pairs.slice(1).map((pair) => pair.id));
    expect(accepted.every((pair) => pair.status === 'accepted')).toBe(true);
    // Only pending pairs change: the rejected one stays rejected.
    expect((await call<{ id: number; status: string }[]>('pairs.list', { conceptId: concept.id }))[0]!.status).toBe('rejected');
    expect(await call<unknown[]>('pairs.setStatusAll', { conceptId: concept.id, status: 'rejected' })).toEqual([]);

    const plan = await call<{
      settings: { steps: number; size: number };
      trainPairIds: number[];
      heldOutPairIds: number[];
      unreviewedPairIds: number[];
      estimate: unknown;
    }>('training.plan', { conceptId: concept.id, preset: 'fast', advanced: { steps: 4, size: 32, executionProvider: 'cpu' } });
    const ids = pairs.slice(1).map((pair) => pair.id);
    expect(plan.trainPairIds).toEqual(ids.slice(0, 4));
    expect(plan.heldOutPairIds).toEqual(ids.slice(4));
    expect(plan.unreviewedPairIds).toEqual([]);
    expect(plan.settings).toMatchObject({ steps: 4, size: 32 });
    expect(plan.estimate).toBeNull();

    // The run holds out exactly the planned pairs: its previews show them, and it measures a speed.
    const run = await call<{ id: number; jobId: number }>('training.start', {
      conceptId: concept.id,
      preset: 'fast',
      advanced: { steps: 4, size: 32, executionProvider: 'cpu' },
    });
    expect((await services.jobs.waitFor(run.jobId)).state).toBe('done');
    const trained = await call<{ previews: { pairIds?: (number | null)[] }[]; baselines: { identityPsnr: number; affinePsnr: number } | null }>(
      'training.get',
      { runId: run.id },
    );
    expect(trained.previews.at(-1)!.pairIds).toEqual(plan.heldOutPairIds);
    expect(trained.baselines).toEqual({ identityPsnr: expect.any(Number), affinePsnr: expect.any(Number) });
    const next = await call<{ estimate: { seconds: number; basis: string } | null }>('training.plan', { conceptId: concept.id, preset: 'fast' });
    expect(next.estimate?.seconds).toBeGreaterThan(0);
    expect(next.estimate?.basis).toContain(`run #${run.id}`);
  }, 180_000);

  it('lists adapters with the likely-virtual ones last, refuses an unknown host, and shows no QR code on loopback', async () => {
    const interfaces = {
      docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      wlan0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false },
        { address: 'fe80::1', family: 'IPv6', internal: false },
      ],
      eth1: [{ address: '203.0.113.5', family: 'IPv4', internal: false }],
    } as unknown as Parameters<typeof listShareAddresses>[0];
    expect(listShareAddresses(interfaces)).toEqual([
      { address: '192.168.1.20', adapter: 'wlan0', private: true, likelyVirtual: false },
      { address: '172.17.0.1', adapter: 'docker0', private: true, likelyVirtual: true },
      { address: '203.0.113.5', adapter: 'eth1', private: false, likelyVirtual: false },
    ]);

    const events = new TypedEmitter<ServiceEvents>();
    const exportRecord = { id: 1, zipPath: path.join(root, 'bundle', 'bundle.zip') } as never;
    // A test seam: 127.0.0.1 stands in for a LAN adapter so the server can really listen on it.
    const lan = createShareService({
      dataDir: root,
      events,
      getExport: () => exportRecord,
      listAddresses: () => [{ address: '127.0.0.1', adapter: 'test-lan', private: true, likelyVirtual: false }],
    });
    await expect(lan.start({ exportId: 1, host: '10.9.9.9' })).rejects.toThrow(
      /10\.9\.9\.9 is not an address of this machine's network adapters \(available: 127\.0\.0\.1 \(test-lan\)\)/,
    );
    const shared = await lan.start({ exportId: 1, host: '127.0.0.1' });
    expect(shared).toMatchObject({ active: true, host: '127.0.0.1', warning: null, qrSvg: expect.stringMatching(/^<svg/) });
    // A phone reads pixels: the rasterised code decodes to exactly the share URL.
    if (!shared.active || !shared.qrSvg) throw new Error('the LAN share has no QR code');
    expect(await decodeQrSvg(shared.qrSvg)).toBe(shared.url);
    await lan.stop();

    const loopback = createShareService({ dataDir: root, events, getExport: () => exportRecord, listAddresses: () => [] });
    const alone = await loopback.start({ exportId: 1 });
    expect(alone).toMatchObject({ active: true, host: '127.0.0.1', qrSvg: null, warning: LOOPBACK_WARNING });
    expect(LOOPBACK_WARNING).toContain('no QR code');
    await loopback.stop();
  });
});
