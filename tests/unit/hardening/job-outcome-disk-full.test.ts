/**
 * Defect 5 of issue 14: when a job's outcome cannot be written because the disk is full (SQLITE_FULL), the job
 * must not stay 'running' at 0% with its outcome lost. The disk is made full for real inside SQLite:
 * PRAGMA max_page_count caps the database file at its current size, so the next write that needs a page
 * fails with SQLITE_FULL exactly as on a full disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobExecution, JobHost, JobOutcome, JobProgressUpdate, JobRequest } from '../../../electron/jobs/job-host';
import { JobRunner } from '../../../electron/jobs/job-runner';
import { TypedEmitter, type Job, type ServiceEvents } from '../../../electron/services/index';
import { openStore, type Store } from '../../../electron/store/store';

class ManualHost implements JobHost {
  readonly started: { request: JobRequest; progress: (u: JobProgressUpdate) => void; finish: (o: JobOutcome) => void }[] = [];
  execute(request: JobRequest, onProgress: (update: JobProgressUpdate) => void): JobExecution {
    let finish!: (outcome: JobOutcome) => void;
    const outcome = new Promise<JobOutcome>((resolve) => (finish = resolve));
    this.started.push({ request, progress: onProgress, finish });
    return { outcome, stop: () => undefined };
  }
}

let root: string;
let store: Store;
let events: TypedEmitter<ServiceEvents>;
let projectId: number;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-harden-full-'));
  store = openStore(path.join(root, 'data'));
  events = new TypedEmitter<ServiceEvents>();
  projectId = store.projects.create('P').id;
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

function fillDisk(): void {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = Number(store.db.pragma('page_count', { simple: true }));
  store.db.pragma(`max_page_count = ${pages}`);
}
function freeDisk(): void {
  store.db.pragma('max_page_count = 1073741823');
}

/** A result too big to fit in the pages the database already has. */
const bigResult = () => ({ imported: Array.from({ length: 2000 }, (_, i) => ({ name: `photo-${i}.jpg`, imageId: i + 1 })) });

describe('a job outcome written to a full disk', () => {
  it('keeps the outcome, tells the user "disk full", and records it once space is freed', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events, { progressWriteIntervalMs: 0, outcomeRetryIntervalMs: 50 });
    const seen: Job[] = [];
    events.on('jobChanged', ({ job }) => seen.push(job));
    const job = runner.enqueue('import-images', projectId, { projectId, files: [{ path: '/x.png' }] });
    host.started[0]!.progress({ progress: 0.5, message: 'half way' });

    fillDisk();
    // Progress writes on a full disk must not throw into the host (that would end the process).
    expect(() => host.started[0]!.progress({ progress: 0.9, message: 'almost' })).not.toThrow();
    const result = bigResult();
    host.started[0]!.finish({ state: 'done', result });
    await expect.poll(() => seen.some((changed) => changed.id === job.id && /disk full/i.test(changed.message ?? ''))).toBe(true);
    expect(store.jobs.get(job.id)!.state).toBe('running');

    freeDisk();
    await expect.poll(() => store.jobs.get(job.id)!.state, { timeout: 5000 }).toBe('done');
    expect(store.jobs.get(job.id)!.result).toEqual(result);
    expect(seen.at(-1)).toMatchObject({ id: job.id, state: 'done' });
    await runner.close();
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a failure caused by a full disk keeps its reason and says "disk full"', async () => {
    const host = new ManualHost();
    const runner = new JobRunner(store, host, events, { progressWriteIntervalMs: 0, outcomeRetryIntervalMs: 50 });
    const job = runner.enqueue('export-bundle', projectId, { projectId, conceptId: null, runPath: '/r', precisions: [], name: 'n', prompt: '' } as never);
    fillDisk();
    const reason = `ENOSPC: no space left on device, write '/data/exports/1/model.onnx' ${'x'.repeat(20_000)}`;
    host.started[0]!.finish({ state: 'failed', error: reason });
    await new Promise((resolve) => setTimeout(resolve, 200));
    freeDisk();
    await expect.poll(() => store.jobs.get(job.id)!.state, { timeout: 5000 }).toBe('failed');
    const failed = store.jobs.get(job.id)!;
    expect(failed.error).toContain('ENOSPC: no space left on device');
    expect(failed.error).toMatch(/^Disk full/);
    await runner.close();
  });
});
