import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';
import { openStore } from '../../../electron/store/store';

let root: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-flow-rank-'));
  services = createServices({ dataDir: path.join(root, 'data') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('training with rank auto', () => {
  it('runs the rank search before training and trains with the per-layer ranks it found', async () => {
    const project = services.projects.create({ name: 'Auto' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Tint' });
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
    await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
    const messages: string[] = [];
    services.events.on('jobProgress', ({ message }) => message && messages.push(message));
    const run = services.training.start({
      conceptId: concept.id,
      preset: 'fast',
      advanced: { steps: 2, size: 32, rank: 'auto', executionProvider: 'cpu' },
    });
    const job = await services.jobs.waitFor(run.jobId!);
    expect(job.state, job.error ?? '').toBe('done');
    expect(services.training.get({ runId: run.id })).toMatchObject({ state: 'done', step: 2, settings: { rank: 'auto' } });
    expect(messages.some((m) => m.startsWith('rank search trial'))).toBe(true);
    // The run's settings are recorded on its row (the one record; there is no run.json).
    const store = openStore(path.join(root, 'data'));
    const stored = store.trainingRuns.engineOf(run.id)!.settings as { ranks: unknown };
    store.close();
    expect(typeof stored.ranks).toBe('object');
    expect(Object.values(stored.ranks as Record<string, number>).every((r) => Number.isInteger(r) && r >= 0)).toBe(true);
  }, 240_000);
});
