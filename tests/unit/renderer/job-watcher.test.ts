/**
 * The renderer's job watcher against the real browser-mode back end (server, services, SQLite, import worker)
 * over the typed WebSocket client the page uses: which job events reach a watcher, the finish that overtakes a
 * start call's answer, the running jobs after a reload, and payloads and results typed by kind.
 */
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { useStudioServer } from '../../support/api-server';
import type { Job, JobProgress } from '../../../electron/api/contract';
import type { ImportImagesPayload, ImportImagesResult } from '../../../electron/domain/types';
import { FollowedJob, type JobView, JobWatcher } from '../../../renderer/src/lib/state/job-watcher.svelte';

const SAMPLES = path.resolve('resources/samples');

const studio = useStudioServer('e2gan-job-watcher-');

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

/** Noise does not compress, so each file takes real decode/encode time: the import is still running mid-test. */
async function noiseFiles(count: number): Promise<{ path: string }[]> {
  const dir = await mkdtemp(path.join(studio.root, 'noise-'));
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const pixels = new Uint8Array(256 * 256 * 3).map(() => Math.floor(Math.random() * 256));
      const file = path.join(dir, `noise-${index}.png`);
      await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
        .png()
        .toFile(file);
      return { path: file };
    }),
  );
}

const samples = (...names: string[]) => names.map((name) => ({ path: path.join(SAMPLES, name) }));

/** A watcher of one project's imports that records what it is handed. */
function recordingWatcher(projectId: number, options: { followed?: () => number | null; owns?: (job: Job<'import-images'>) => boolean } = {}) {
  const progress: JobProgress[] = [];
  const finished: Job<'import-images'>[] = [];
  const watcher = new JobWatcher(studio.api, {
    kind: 'import-images',
    projectId,
    ...(options.owns ? { owns: options.owns } : {}),
    followed: options.followed ?? (() => null),
    onProgress: (event) => progress.push(event),
    onFinished: (job) => finished.push(job),
  });
  return { watcher, progress, finished, stop: watcher.start() };
}

describe('JobWatcher', () => {
  it('hands on the followed job’s progress only, lists it as running, and types its payload and result', async () => {
    const project = studio.server.services.projects.create({ name: 'Watched' });
    let followed: number | null = null;
    const mine = recordingWatcher(project.id, { followed: () => followed });
    const bystander = recordingWatcher(project.id);
    try {
      const started = studio.server.services.imports.start({ projectId: project.id, sources: await noiseFiles(24) });
      followed = started.id;
      await waitFor(() => expect(mine.progress.length).toBeGreaterThan(0));
      const [running] = await mine.watcher.running();
      expect(running?.id).toBe(started.id);
      expectTypeOf(running!.payload).toEqualTypeOf<ImportImagesPayload>();
      expect(running!.payload.files).toHaveLength(24);

      await waitFor(() => expect(mine.finished.map((job) => job.id)).toEqual([started.id]));
      const [done] = mine.finished;
      expectTypeOf(done!.result).toEqualTypeOf<ImportImagesResult | null>();
      expect(done!.state).toBe('done');
      expect(done!.result?.imported).toHaveLength(24);
      expect(new Set(mine.progress.map((event) => event.jobId))).toEqual(new Set([started.id]));
      expect(await mine.watcher.running()).toEqual([]);
      // The followed job's end went to its owner; nothing is kept for a start call still to answer.
      expect(mine.watcher.finishedBeforeFollowed(started.id)).toBeNull();

      // A watcher that follows nothing is told of the finish (a job of its owner's) but gets no progress.
      expect(bystander.progress).toEqual([]);
      expect(bystander.finished.map((job) => job.id)).toEqual([started.id]);
    } finally {
      mine.stop();
      bystander.stop();
    }
  }, 60_000);

  it('returns a finish that overtook the start call’s answer once, so the owner shows it instead of a job that never reports', async () => {
    const project = studio.server.services.projects.create({ name: 'Quick' });
    const { watcher, finished, stop } = recordingWatcher(project.id);
    try {
      const started = studio.server.services.imports.start({ projectId: project.id, sources: samples('brick.jpg') });
      expect((await studio.server.services.jobs.waitFor(started.id)).state).toBe('done');
      await waitFor(() => expect(finished).toHaveLength(1));
      const early = watcher.finishedBeforeFollowed(started.id);
      expect(early?.id).toBe(started.id);
      expect(early?.result?.imported.map((file) => file.name)).toEqual(['brick.jpg']);
      expect(watcher.finishedBeforeFollowed(started.id)).toBeNull();
    } finally {
      stop();
    }
  }, 60_000);

  it("passes over other projects' jobs, other kinds and jobs its owner does not claim", async () => {
    const project = studio.server.services.projects.create({ name: 'Owner' });
    const other = studio.server.services.projects.create({ name: 'Someone else' });
    const single = recordingWatcher(project.id, { owns: (job) => job.payload.files.length === 1 });
    const all = recordingWatcher(project.id);
    const otherProject = recordingWatcher(other.id);
    const exportsFinished: Job<'export-bundle'>[] = [];
    const exportsWatcher = new JobWatcher(studio.api, {
      kind: 'export-bundle',
      projectId: project.id,
      followed: () => null,
      onFinished: (job) => exportsFinished.push(job),
    });
    const stopExports = exportsWatcher.start();
    try {
      const pairOfPhotos = studio.server.services.imports.start({ projectId: project.id, sources: samples('camera.jpg', 'coffee.jpg') });
      const onePhoto = studio.server.services.imports.start({ projectId: project.id, sources: samples('clock.jpg') });
      await studio.server.services.jobs.waitFor(pairOfPhotos.id);
      await studio.server.services.jobs.waitFor(onePhoto.id);
      await waitFor(() => expect(all.finished.map((job) => job.id).sort()).toEqual([pairOfPhotos.id, onePhoto.id].sort()));
      expect(single.finished.map((job) => job.id)).toEqual([onePhoto.id]);
      expect(otherProject.finished).toEqual([]);
      expect(exportsFinished).toEqual([]);
      expect(single.watcher.finishedBeforeFollowed(pairOfPhotos.id)).toBeNull();
    } finally {
      single.stop();
      all.stop();
      otherProject.stop();
      stopExports();
    }
  }, 60_000);

  it('is handed a start call’s answer typed by kind, with no cast and no check of its own', async () => {
    const project = studio.server.services.projects.create({ name: 'Kinds' });
    const ended: Job<'import-images'>[] = [];
    const followed = new FollowedJob<'import-images', JobView>(studio.api, { kind: 'import-images', projectId: project.id, onEnd: (job) => ended.push(job) });
    const stop = followed.start();
    try {
      const job = await studio.api.imports.samples({ projectId: project.id });
      expectTypeOf(job).toEqualTypeOf<Job<'import-images'>>();
      expectTypeOf(job.payload).toEqualTypeOf<ImportImagesPayload>();
      expect(job.payload.projectId).toBe(project.id);
      followed.follow(job, { jobId: job.id, progress: 0, message: 'Queued' });
      await waitFor(() => expect(ended.map((finished) => finished.id)).toEqual([job.id]));
    } finally {
      stop();
    }
  }, 60_000);
});

describe('FollowedJob', () => {
  type ImportView = JobView & { files: number };
  const importView = (job: Job<'import-images'>, message: string | null): ImportView => ({
    jobId: job.id,
    progress: job.progress,
    message,
    files: job.payload.files.length,
  });

  it('keeps the shown job’s view current from its progress, clears it at the end and hands on the finished job', async () => {
    const project = studio.server.services.projects.create({ name: 'Followed' });
    const ended: Job<'import-images'>[] = [];
    const followed = new FollowedJob<'import-images', ImportView>(studio.api, {
      kind: 'import-images',
      projectId: project.id,
      onEnd: (job) => ended.push(job),
    });
    const stop = followed.start();
    try {
      // Noise files lie outside the server's staging folder, so the job is queued on the services directly.
      const started = studio.server.services.imports.start({ projectId: project.id, sources: await noiseFiles(16) });
      followed.follow(started, importView(started, 'Queued'));
      expect(followed.view).toMatchObject({ jobId: started.id, message: 'Queued', files: 16 });
      await waitFor(() => {
        expect(followed.view?.message).toMatch(/^\d+ of 16: noise-\d+\.png$/);
      });
      // A fresh owner (a reloaded page) finds the running job and shows it.
      const reloaded = new FollowedJob<'import-images', ImportView>(studio.api, { kind: 'import-images', projectId: project.id, onEnd: () => undefined });
      await reloaded.resume((job) => importView(job, job.message));
      expect(reloaded.view?.jobId).toBe(started.id);

      await waitFor(() => expect(ended.map((job) => job.id)).toEqual([started.id]));
      expect(followed.view).toBeNull();
      expect(ended[0]!.result?.imported).toHaveLength(16);
    } finally {
      stop();
    }
  }, 60_000);

  it('ends a job that finished before it was followed at once, without showing it', async () => {
    const project = studio.server.services.projects.create({ name: 'Too quick' });
    const ended: Job<'import-images'>[] = [];
    const followed = new FollowedJob<'import-images', ImportView>(studio.api, {
      kind: 'import-images',
      projectId: project.id,
      onEnd: (job) => ended.push(job),
    });
    const stop = followed.start();
    const seen = recordingWatcher(project.id);
    try {
      const started = studio.server.services.imports.start({ projectId: project.id, sources: samples('gravel.jpg') });
      await studio.server.services.jobs.waitFor(started.id);
      await waitFor(() => expect(seen.finished).toHaveLength(1));
      followed.follow(started, importView(started, 'Queued'));
      expect(followed.view).toBeNull();
      expect(ended.map((job) => [job.id, job.state])).toEqual([[started.id, 'done']]);
    } finally {
      stop();
      seen.stop();
    }
  }, 60_000);
});
