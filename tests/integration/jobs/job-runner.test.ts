import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobExecution, JobHost, JobOutcome, JobProgressUpdate, JobRequest } from '../../../electron/jobs/job-host';
import { JobRunner } from '../../../electron/jobs/job-runner';
import { WorkerThreadJobHost } from '../../../electron/jobs/worker-thread-host';
import { createServices, TypedEmitter, type ServiceEvents } from '../../../electron/services/index';
import { openStore, type Store } from '../../../electron/store/store';

/** A host whose jobs the test finishes by hand, to drive the runner through every transition. */
class ManualHost implements JobHost {
  readonly started: { request: JobRequest; progress: (u: JobProgressUpdate) => void; finish: (o: JobOutcome) => void; stopped: boolean }[] = [];
  execute(request: JobRequest, onProgress: (update: JobProgressUpdate) => void): JobExecution {
    let finish!: (outcome: JobOutcome) => void;
    const outcome = new Promise<JobOutcome>((resolve) => (finish = resolve));
    const entry = { request, progress: onProgress, finish, stopped: false };
    this.started.push(entry);
    return { outcome, stop: () => (entry.stopped = true) };
  }
}

let root: string;
let store: Store;
let events: TypedEmitter<ServiceEvents>;
let projectId: number;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-runner-'));
  store = openStore(path.join(root, 'data'));
  events = new TypedEmitter<ServiceEvents>();
  projectId = store.projects.create('P').id;
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

const payload = () => ({ projectId, files: [{ path: '/x.png' }] });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('JobRunner', () => {
  it('runs one job at a time in queue order and records progress and results', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events, { progressWriteIntervalMs: 0 });
    const progress: number[] = [];
    events.on('jobProgress', (e) => progress.push(e.progress));
    const a = runner.enqueue('import-images', projectId, payload());
    const b = runner.enqueue('import-images', projectId, payload());
    expect(host.started.map((s) => s.request.jobId)).toEqual([a.id]);
    expect(host.started[0]!.request.dataDir).toBe(store.layout.root);

    host.started[0]!.progress({ progress: 0.25, message: 'quarter' });
    expect(store.jobs.get(a.id)).toMatchObject({ progress: 0.25, message: 'quarter', state: 'running' });
    host.started[0]!.finish({ state: 'done', result: { imported: [] } });
    await tick();
    expect(store.jobs.get(a.id)).toMatchObject({ state: 'done', progress: 1, result: { imported: [] } });
    expect(host.started.map((s) => s.request.jobId)).toEqual([a.id, b.id]);

    host.started[1]!.finish({ state: 'failed', error: 'disk full' });
    await tick();
    expect(store.jobs.get(b.id)).toMatchObject({ state: 'failed', error: 'disk full' });
    expect(progress).toEqual([0.25]);
  });

  it('runs one export beside a busy slot (a long training does not hold exports back), but never a second one', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events);
    const exportPayload = { projectId, conceptId: null, runPath: '/r', precisions: [], name: 'n', prompt: '' };
    const training = runner.enqueue('train-run', projectId, { runId: 1 } as never);
    const importJob = runner.enqueue('import-images', projectId, payload());
    const firstExport = runner.enqueue('export-bundle', projectId, exportPayload);
    const secondExport = runner.enqueue('export-bundle', projectId, exportPayload);
    // The import keeps its place in the queue behind the training; the first export runs beside it.
    expect(host.started.map((s) => s.request.jobId)).toEqual([training.id, firstExport.id]);
    expect(store.jobs.get(importJob.id)?.state).toBe('queued');
    expect(store.jobs.get(secondExport.id)?.state).toBe('queued');

    host.started[1]!.finish({ state: 'done', result: { exportId: null } });
    await tick();
    expect(host.started.map((s) => s.request.jobId)).toEqual([training.id, firstExport.id, secondExport.id]);
    host.started[0]!.finish({ state: 'done', result: {} });
    await tick();
    // The regular slot takes the queue in order again.
    expect(host.started.map((s) => s.request.jobId)).toEqual([training.id, firstExport.id, secondExport.id, importJob.id]);
  });

  it('coalesces per-file image changes into one event per interval, flushed before the job ends', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events, { changeEventIntervalMs: 60_000 });
    const seen: string[] = [];
    events.on('imagesChanged', ({ projectId: id }) => seen.push(`images ${id}`));
    events.on('jobChanged', ({ job }) => seen.push(`job ${job.state}`));
    runner.enqueue('import-images', projectId, payload());
    for (let i = 1; i <= 5; i++) host.started[0]!.progress({ progress: i / 5, message: null, changed: ['images'] });
    expect(seen).toEqual(['job queued', 'job running']);
    host.started[0]!.finish({ state: 'done', result: {} });
    await tick();
    expect(seen).toEqual(['job queued', 'job running', `images ${projectId}`, 'job done']);
  });

  it('a failed job can be resumed (retried)', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events);
    const job = runner.enqueue('import-images', projectId, payload());
    host.started[0]!.finish({ state: 'failed', error: 'boom' });
    await tick();
    expect(runner.resume(job.id).state).toBe('running');
    expect(store.jobs.get(job.id)?.error).toBeNull();
    expect(host.started).toHaveLength(2);
  });

  it('close() stops running jobs and records them as interrupted, not cancelled', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events);
    const job = runner.enqueue('import-images', projectId, payload());
    const closed = runner.close();
    expect(host.started[0]!.stopped).toBe(true);
    host.started[0]!.finish({ state: 'stopped', result: null });
    await closed;
    expect(store.jobs.get(job.id)?.state).toBe('interrupted');
    expect(() => runner.enqueue('import-images', projectId, payload())).toThrow(/shut down/);
  });

  it('recovery interrupts jobs of dead processes only', () => {
    const host = new ManualHost();
    const dead = store.jobs.enqueue('import-images', projectId, payload());
    store.jobs.claimNext(2 ** 22 + 12345); // above Linux's pid_max default: no such process
    const alive = store.jobs.enqueue('import-images', projectId, payload());
    store.jobs.claimNext(process.ppid);
    const runner = new JobRunner(store, host, events);
    const recovered = runner.recoverInterrupted();
    expect(recovered.map((j) => j.id)).toEqual([dead.id]);
    expect(store.jobs.get(dead.id)?.state).toBe('interrupted');
    expect(store.jobs.get(alive.id)?.state).toBe('running');
    // Cancelling the live process's job leaves a request for that process to act on.
    expect(runner.cancel(alive.id).state).toBe('running');
    expect(store.jobs.isCancelRequested(alive.id)).toBe(true);
  });

  it('a running job whose process died after startup is cancelled directly', () => {
    const job = store.jobs.enqueue('import-images', projectId, payload());
    store.jobs.claimNext(2 ** 22 + 4321); // no such pid
    const runner = new JobRunner(store, new ManualHost(), events);
    expect(runner.cancel(job.id)).toMatchObject({ state: 'cancelled', message: 'Cancelled after its process stopped' });
  });

  it('stops a job it runs when another process flags it for cancellation', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events);
    const job = runner.enqueue('import-images', projectId, payload());
    expect(store.jobs.requestCancel(job.id)).toBe(true);
    expect(host.started[0]!.stopped).toBe(false);
    host.started[0]!.progress({ progress: 0.5, message: 'half' });
    expect(host.started[0]!.stopped).toBe(true);
    host.started[0]!.finish({ state: 'stopped', result: { partial: true } });
    await tick();
    expect(store.jobs.get(job.id)).toMatchObject({ state: 'cancelled', result: { partial: true } });
    expect(store.jobs.isCancelRequested(job.id)).toBe(false);
  });

  it('reports unknown jobs and invalid transitions with clear errors', () => {
    const runner = new JobRunner(store, new ManualHost(), events);
    expect(() => runner.cancel(999)).toThrow(/job 999 does not exist/);
    const job = runner.enqueue('import-images', projectId, payload());
    expect(() => runner.discard(job.id)).toThrow(/only interrupted jobs can be discarded/);
    expect(() => runner.resume(job.id)).toThrow(/only interrupted or failed jobs can be resumed/);
  });
});

describe('WorkerThreadJobHost', () => {
  const request = (): JobRequest => ({ jobId: 1, kind: 'import-images', payload: {}, dataDir: root });

  it('turns a worker that exits without an outcome into a failed job', async () => {
    const host = new WorkerThreadJobHost({ workerEntry: new URL('./fixtures/exiting-worker.ts', import.meta.url) });
    const updates: JobProgressUpdate[] = [];
    const execution = host.execute(request(), (u) => updates.push(u));
    expect(await execution.outcome).toEqual({ state: 'failed', error: 'job worker exited (code 3) before reporting a result' });
    expect(updates).toMatchObject([{ progress: 0.5, message: 'about to die' }]);
  });

  it('terminates a worker that does not stop within the grace period', async () => {
    const host = new WorkerThreadJobHost({
      workerEntry: new URL('./fixtures/stubborn-worker.ts', import.meta.url),
      stopGraceMs: 200,
    });
    const execution = host.execute(request(), (update) => {
      if (update.message === 'busy') execution.stop();
    });
    expect(await execution.outcome).toEqual({ state: 'stopped', result: null });
  });

  it('fails a job whose payload names a missing project, with the reason', async () => {
    const services = createServices({ dataDir: path.join(root, 'svc') });
    try {
      const project = services.projects.create({ name: 'Gone soon' });
      // Remove the project behind the services' back (foreign keys off, so the job row survives) while the
      // worker thread is still starting; the handler must notice and fail with a reason.
      const raw = openStore(path.join(root, 'svc'));
      raw.db.pragma('foreign_keys = OFF');
      const job = services.imports.start({ projectId: project.id, sources: [{ path: '/nowhere.png' }] });
      raw.db.prepare('DELETE FROM projects WHERE id = ?').run(project.id);
      raw.close();
      const finished = await services.jobs.waitFor(job.id);
      expect(finished.state).toBe('failed');
      expect(finished.error).toBe(`project ${project.id} does not exist`);
    } finally {
      await services.close();
    }
  });
});
