import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/train-child.ts', import.meta.url));

let root: string;
let dataDir: string;
let services: Services | undefined;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-crash-'));
  dataDir = path.join(root, 'data');
});
afterEach(async () => {
  await services?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the child until it reports `killAtStep`, then SIGKILLs it (no shutdown code runs). */
function trainAndKill(conceptId: number, killAtStep: number): Promise<{ runId: number; step: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(conceptId)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let runId = 0;
    let step = 0;
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'run') runId = Number(value);
        if (word === 'step') step = Number(value);
        if (word === 'finished') reject(new Error('the run finished before it could be killed'));
      }
      if (step >= killAtStep && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ runId, step });
      else reject(new Error(`child exited with code ${code} before the kill: ${stderr}`));
    });
  });
}

describe('a training run whose process is killed (crash)', () => {
  it('comes back interrupted on the next launch and resumes from its checkpoint to the end', async () => {
    const setup = createServices({ dataDir });
    const project = setup.projects.create({ name: 'Crash' });
    const concept = setup.concepts.create({ projectId: project.id, name: 'Tint' });
    const dir = path.join(root, 'pairs');
    mkdirSync(dir);
    for (const [i, colour] of ['#336699', '#669933', '#993366'].entries()) {
      await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } })
        .png()
        .toFile(path.join(dir, `p${i}.input.png`));
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa7744' } })
        .png()
        .toFile(path.join(dir, `p${i}.target.png`));
    }
    await setup.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
    await setup.close();

    // Checkpoints come every 20 steps of 40: killing past step 22 leaves one to resume from.
    const killed = await trainAndKill(concept.id, 22);
    services = createServices({ dataDir });
    const interrupted = services.training.get({ runId: killed.runId });
    expect(interrupted.state).toBe('interrupted');
    expect(interrupted.checkpoints.map((c) => c.step)).toContain(20);

    services.training.resume({ runId: killed.runId });
    await services.jobs.waitFor(services.training.get({ runId: killed.runId }).jobId!);
    const done = services.training.get({ runId: killed.runId });
    expect(done).toMatchObject({ state: 'done', step: 40 });
    expect(done.lossHistory.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 240_000);
});
