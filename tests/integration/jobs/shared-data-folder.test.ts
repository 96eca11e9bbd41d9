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

describe('two processes on one data folder (the app and the CLI)', () => {
  it('a second process opening the folder mid-import reads progress and does not interrupt the live job', async () => {
    const dataDir = path.join(root, 'data');
    const folder = path.join(root, 'photos');
    // Enough files that the child is still busy for a few hundred ms after reporting its second one.
    const counts = await writeImportFolder(folder, 40, 160);
    const app = createServices({ dataDir });
    try {
      const projectId = app.projects.create('Shared').id;
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(projectId), folder], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const midway = new Promise<number>((resolve) => {
        let jobId = 0;
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (line.startsWith('job ')) jobId = Number(line.slice(4));
            if (line === 'settled 2') resolve(jobId);
          }
        });
      });
      const jobId = await midway;

      // A third opener while the child's job runs: its crash recovery must see a live owner and leave it.
      const other = createServices({ dataDir });
      try {
        expect(other.jobs.get(jobId).state).toBe('running');
        expect(() => other.jobs.cancel(jobId)).toThrow(/running in another process/);
        expect(other.images.list(projectId).length).toBeGreaterThanOrEqual(1);
      } finally {
        await other.close();
      }

      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      const job = app.jobs.get(jobId);
      expect(job.state).toBe('done');
      expect(app.images.list(projectId)).toHaveLength(counts.images);
      expect(app.projects.get(projectId).imageCount).toBe(counts.images);
    } finally {
      await app.close();
    }
    expect(checkDataFolder(dataDir).problems).toEqual([]);
  });
});
