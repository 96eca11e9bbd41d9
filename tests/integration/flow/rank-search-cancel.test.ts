import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/services/index';
import { parseRankSearchProgress, type RankSearchProgress } from '../../../electron/domain/rank-search-progress';

let root: string;
let services: Services;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'e2gan-rank-cancel-'));
  services = createServices({ dataDir: path.join(root, 'data') });
});
afterEach(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

async function conceptWithPairs(): Promise<number> {
  const project = services.projects.create({ name: 'Rank search' });
  const concept = services.concepts.create({ projectId: project.id, name: 'Tint' });
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
  await services.pairs.importPaired({ conceptId: concept.id, sources: [{ path: dir }] });
  return concept.id;
}

describe('rank search progress and cancel', () => {
  it('reports each trial as a step of a bounded count, and a cancel mid-search stops it promptly leaving no run state', async () => {
    const conceptId = await conceptWithPairs();
    const progress: RankSearchProgress[] = [];
    let firstTrialDone!: () => void;
    const trialDone = new Promise<void>((resolve) => (firstTrialDone = resolve));
    services.events.on('jobProgress', ({ message }) => {
      const parsed = parseRankSearchProgress(message);
      if (!parsed) return;
      progress.push(parsed);
      if (parsed.done >= 1) firstTrialDone();
    });
    // 200 steps: each trial is 20 steps and the whole search ~25 trials, far longer than the cancel may take.
    const run = services.training.start({ conceptId, preset: 'fast', advanced: { steps: 200, size: 32, rank: 'auto', executionProvider: 'cpu' } });
    await trialDone;
    expect(progress[0]).toEqual({ done: 0, maxTrials: 25 });
    expect(progress.find((p) => p.done === 1)).toMatchObject({ label: 'reference' });
    expect(progress.find((p) => p.done === 1)!.validationL1).toBeGreaterThan(0);

    const cancelledAt = performance.now();
    services.training.cancel({ runId: run.id });
    const job = await services.jobs.waitFor(run.jobId!);
    const stopSeconds = (performance.now() - cancelledAt) / 1000;
    const trialsAtStop = progress.at(-1)!.done;

    expect(job.state, job.error ?? '').toBe('cancelled');
    // Well inside the runner's 15 s grace before it would kill the worker: the search itself stopped.
    expect(stopSeconds).toBeLessThan(10);
    expect(trialsAtStop).toBeLessThan(25);
    expect(services.training.get({ runId: run.id })).toMatchObject({ state: 'cancelled', step: 0 });
    expect(existsSync(path.join(run.runPath, 'run.json'))).toBe(false);
    expect(existsSync(path.join(run.runPath, 'checkpoints'))).toBe(false);
    console.log(`rank search cancelled after ${trialsAtStop} trial(s); stopped in ${stopSeconds.toFixed(2)} s`);
  }, 180_000);
});
