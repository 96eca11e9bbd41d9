import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../electron/services/index';
import { writeImportFolder } from './fixtures/make-images';
import { checkDataFolder } from './fixtures/store-invariants';

const CHILD = fileURLToPath(new URL('./fixtures/import-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-shared-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Starts import-child.ts; resolves `midway` with the job id once the child has settled `after` files. */
function startChildImport(dataDir: string, projectId: number, folder: string, after: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(projectId), folder], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const midway = new Promise<number>((resolve) => {
    let jobId = 0;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('job ')) jobId = Number(line.slice(4));
        if (line === `settled ${after}`) resolve(jobId);
      }
    });
  });
  return { midway, exited };
}

describe('two processes on one data folder (the app and the CLI)', () => {
  it('cancelling in one process stops the job the other process runs', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    const counts = await writeImportFolder(folder, 40, 160);
    const app = createServices({ dataDir });
    try {
      const projectId = app.projects.create({ name: 'Cancel across' }).id;
      const child = startChildImport(dataDir, projectId, folder, 2);
      const jobId = await child.midway;
      expect(app.jobs.cancel({ jobId }).state).toBe('running');
      const { code, stdout, stderr } = await child.exited;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('finished cancelled');
      const job = app.jobs.get({ jobId });
      expect(job.state).toBe('cancelled');
      if (job.kind !== 'import-images' || !job.result) throw new Error('expected an import result');
      expect(job.result.notProcessed).toBeGreaterThan(0);
      expect(job.result.imported.length + job.result.skipped.length + job.result.notProcessed).toBe(counts.images + 2);
      expect(app.images.list({ projectId })).toHaveLength(job.result.imported.length);
    } finally {
      await app.close();
    }
  });

  it('a second process opening the folder mid-import reads progress and does not interrupt the live job', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    // Enough files that the child is still busy for a few hundred ms after reporting its second one.
    const counts = await writeImportFolder(folder, 40, 160);
    const app = createServices({ dataDir });
    try {
      const projectId = app.projects.create({ name: 'Shared' }).id;
      const child = startChildImport(dataDir, projectId, folder, 2);
      const jobId = await child.midway;

      // A third opener while the child's job runs: its crash recovery must see a live owner and leave it.
      const other = createServices({ dataDir });
      try {
        expect(other.jobs.get({ jobId }).state).toBe('running');
        expect(other.images.list({ projectId }).length).toBeGreaterThanOrEqual(1);
      } finally {
        await other.close();
      }

      const { code, stderr } = await child.exited;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const job = app.jobs.get({ jobId });
      expect(job.state).toBe('done');
      expect(app.images.list({ projectId })).toHaveLength(counts.images);
      expect(app.projects.get({ projectId }).imageCount).toBe(counts.images);
    } finally {
      await app.close();
    }
    expect(checkDataFolder(dataDir).problems).toEqual([]);
  });
});
