import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServices, type Services } from '../../../electron/services/index';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
let app: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-pause-'));
  app = createServices({ dataDir: path.join(root, 'data') });
});
afterEach(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('e2gan training pause on a run the app is training', () => {
  it('the app stops the run at its next step and records it as paused (not cancelled)', async () => {
    const project = app.projects.create({ name: 'Pause' });
    const concept = app.concepts.create({ projectId: project.id, name: 'Tint' });
    const dir = path.join(root, 'pairs');
    mkdirSync(dir);
    for (const [i, colour] of ['#336699', '#669933'].entries()) {
      await sharp({ create: { width: 32, height: 32, channels: 3, background: colour } })
        .png()
        .toFile(path.join(dir, `p${i}.input.png`));
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#aa7744' } })
        .png()
        .toFile(path.join(dir, `p${i}.target.png`));
    }
    await app.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
    const run = app.training.start({ conceptId: concept.id, preset: 'fast', advanced: { steps: 2000, size: 32, rank: 2, executionProvider: 'cpu' } });
    await new Promise<void>((resolve) => {
      const stop = app.events.on('trainingProgress', (event) => {
        if (event.step < 1) return;
        stop();
        resolve();
      });
    });

    // The real CLI, in its own process, as a user would run it while the app trains.
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/e2gan.mjs', 'training', 'pause', String(run.id)], {
      cwd: REPO_ROOT,
      env: { ...process.env, E2GAN_STUDIO_HOME: path.join(root, 'data') },
    });
    expect(stdout).toMatch(new RegExp(`Pausing run ${run.id}`));
    await app.jobs.waitFor(run.jobId!);
    const paused = app.training.get({ runId: run.id });
    expect(paused.state).toBe('paused');
    expect(paused.step).toBeLessThan(2000);
    expect(paused.checkpoints.at(-1)!.step).toBe(paused.step);
  }, 120_000);
});
