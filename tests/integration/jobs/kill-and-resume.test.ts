import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Job } from '../../../electron/services/index';
import { openStore } from '../../../electron/store/store';
import { writeImportFolder } from './fixtures/make-images';
import { checkDataFolder } from './fixtures/store-invariants';

const CHILD = fileURLToPath(new URL('./fixtures/import-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-kill-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * Starts the import in a child process and SIGKILLs it once `killAfter` files are settled, plus a random delay of
 * up to `jitterMs` so that across runs the kill lands at different points (blob write, transaction, decode).
 */
function importAndKill(
  dataDir: string,
  projectId: number,
  folder: string,
  killAfter: number,
  jitterMs = 0,
): Promise<{ jobId: number; settled: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(projectId), folder], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let jobId = 0;
    let settled = 0;
    let stderr = '';
    let buffered = '';
    let killScheduled = false;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'job') {
          jobId = Number(value);
          if (killAfter === 0 && !killScheduled) {
            killScheduled = true;
            setTimeout(() => child.kill('SIGKILL'), Math.random() * jitterMs);
          }
        }
        if (word === 'settled') settled = Number(value);
        if (word === 'finished') reject(new Error('the import finished before it could be killed'));
      }
      if (settled >= killAfter && !killScheduled) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * jitterMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ jobId, settled, signal });
      else reject(new Error(`child exited with code ${code} before the kill: ${stderr}`));
    });
  });
}

describe('an import killed with SIGKILL mid-way', () => {
  it('leaves a consistent database and no half-written blob, is marked interrupted, and resumes to completion', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    const counts = await writeImportFolder(folder, 24, 160);
    const total = counts.images + counts.text + counts.corrupt;

    const setup = openStore(dataDir);
    const projectId = setup.projects.create('Crash').id;
    setup.close();

    const killed = await importAndKill(dataDir, projectId, folder, 3, 15);
    expect(killed.jobId).toBeGreaterThan(0);

    // Straight from disk, before any recovery code runs: SQLite consistent, every blob whole.
    const afterCrash = checkDataFolder(dataDir);
    expect(afterCrash.problems).toEqual([]);
    const raw = openStore(dataDir);
    const crashedJob = raw.jobs.get(killed.jobId)!;
    const itemsAtCrash = raw.importItems.list(killed.jobId);
    const imagesAtCrash = raw.images.listByProject(projectId).length;
    raw.close();
    expect(crashedJob.state).toBe('running');
    const settledAtCrash = itemsAtCrash.filter((item) => item.status !== 'pending').length;
    expect(itemsAtCrash).toHaveLength(total);
    expect(settledAtCrash).toBeGreaterThanOrEqual(3);
    expect(settledAtCrash).toBeLessThan(total);
    // Every image row is accounted for by an item settled as imported, in the same transaction.
    expect(itemsAtCrash.filter((item) => item.status === 'imported')).toHaveLength(imagesAtCrash);

    const services = createServices({ dataDir });
    try {
      const interrupted = services.jobs.get({ jobId: killed.jobId });
      expect(interrupted.state).toBe('interrupted');
      expect(checkDataFolder(dataDir).tempFiles).toEqual([]);

      const changes: Job[] = [];
      services.events.on('jobChanged', ({ job }) => changes.push(job));
      services.jobs.resume({ jobId: killed.jobId });
      const finished = await services.jobs.waitFor(killed.jobId);
      expect(changes.map((job) => job.state)).toEqual(['queued', 'running', 'done']);
      expect(finished.state).toBe('done');
      const result = finished.result as NonNullable<Job<'import-images'>['result']>;
      expect(result.imported).toHaveLength(counts.images);
      expect(result.skipped).toHaveLength(counts.text + counts.corrupt);
      expect(result.duplicates).toEqual([]);
      expect(result.notProcessed).toBe(0);
      expect(services.images.list({ projectId })).toHaveLength(counts.images);
      const final = checkDataFolder(dataDir);
      expect(final.problems).toEqual([]);
      expect(final.blobCount).toBe(counts.images * 2);
    } finally {
      await services.close();
    }
  });

  it('killed at a random moment soon after queueing (worker start, listing, first files) still resumes to the full result', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    const counts = await writeImportFolder(folder, 24, 160);
    const setup = openStore(dataDir);
    const projectId = setup.projects.create('Early crash').id;
    setup.close();

    const killed = await importAndKill(dataDir, projectId, folder, 0, 400);
    expect(checkDataFolder(dataDir).problems).toEqual([]);
    const services = createServices({ dataDir });
    try {
      expect(services.jobs.get({ jobId: killed.jobId }).state).toBe('interrupted');
      services.jobs.resume({ jobId: killed.jobId });
      const finished = (await services.jobs.waitFor(killed.jobId)) as Job<'import-images'>;
      expect(finished.state).toBe('done');
      expect(finished.result!.imported).toHaveLength(counts.images);
      expect(finished.result!.skipped).toHaveLength(counts.text + counts.corrupt);
      expect(checkDataFolder(dataDir)).toMatchObject({ problems: [], tempFiles: [], blobCount: counts.images * 2 });
    } finally {
      await services.close();
    }
  });

  it('can be discarded instead: the job is cancelled and the files imported before the crash stay', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    await writeImportFolder(folder, 16, 160);
    const setup = openStore(dataDir);
    const projectId = setup.projects.create('Discard').id;
    setup.close();

    const killed = await importAndKill(dataDir, projectId, folder, 2);
    const services = createServices({ dataDir });
    try {
      const kept = services.images.list({ projectId }).length;
      expect(kept).toBeGreaterThanOrEqual(1);
      const discarded = services.jobs.discard({ jobId: killed.jobId });
      expect(discarded.state).toBe('cancelled');
      expect(() => services.jobs.resume({ jobId: killed.jobId })).toThrow(/only interrupted or failed jobs can be resumed/);
      expect(services.images.list({ projectId })).toHaveLength(kept);
      expect(checkDataFolder(dataDir).problems).toEqual([]);
    } finally {
      await services.close();
    }
  });
});
