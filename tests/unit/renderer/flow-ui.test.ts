/**
 * The flow UI's logic that needs no browser: live-progress merging into a run, regeneration seeds, the FPS
 * window, and the live-preview engine's request/reply matching over a worker-like channel.
 */
import { describe, expect, it } from 'vitest';
import type { TrainingRun } from '../../../electron/domain/training-types';
import { FpsCounter } from '../../../renderer/src/lib/live-preview/fps-counter';
import { PreviewEngine, type WorkerLike } from '../../../renderer/src/lib/live-preview/preview-engine';
import type { WorkerRequest, WorkerResponse } from '../../../renderer/src/lib/live-preview/protocol';
import { pairedFromFolders, pairedFromNamedFiles } from '../../../renderer/src/lib/paired-files';
import { appendRankSearchTrial, mergeProgress, nextSeed } from '../../../renderer/src/lib/state/concept-workspace-state.svelte';

function run(overrides: Partial<TrainingRun> = {}): TrainingRun {
  return {
    id: 7,
    projectId: 1,
    conceptId: 2,
    jobId: 3,
    state: 'queued',
    settings: { preset: 'fast', steps: 10, size: 32, rank: 4, learningRate: 0.002, executionProvider: 'cpu', checkpointEvery: 5, previewEvery: 5 },
    runPath: '/runs/7',
    step: 0,
    totalSteps: 10,
    lossHistory: [],
    checkpoints: [],
    previews: [{ step: 0, sha256s: ['a0', 'b0'], heldOutPsnr: 12 }],
    baselines: null,
    itPerSec: null,
    etaSeconds: null,
    executionProvider: null,
    error: null,
    createdAt: '2026-11-25T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

const progress = (step: number, loss: number, previewSha256s: string[] = ['a0', 'b0']) => ({
  runId: 7,
  projectId: 1,
  conceptId: 2,
  step,
  totalSteps: 10,
  losses: { l1: loss },
  itPerSec: 2,
  etaSeconds: (10 - step) / 2,
  previewSha256s,
});

describe('mergeProgress', () => {
  it('appends loss points, updates speed and marks a queued run running', () => {
    const merged = mergeProgress(mergeProgress(run(), progress(1, 0.5)), progress(2, 0.4));
    expect(merged.state).toBe('running');
    expect(merged.step).toBe(2);
    expect(merged.lossHistory).toEqual([
      { step: 1, losses: { l1: 0.5 } },
      { step: 2, losses: { l1: 0.4 } },
    ]);
    expect(merged.etaSeconds).toBe(4);
    // The same preview grid as before is not added twice.
    expect(merged.previews).toHaveLength(1);
  });

  it('adds a new preview grid once and replaces loss points at or after a repeated step (resume)', () => {
    let merged = mergeProgress(run(), progress(5, 0.3, ['a5', 'b5']));
    merged = mergeProgress(merged, progress(5, 0.3, ['a5', 'b5']));
    expect(merged.previews.map((preview) => preview.step)).toEqual([0, 5]);
    merged = mergeProgress(merged, progress(6, 0.2, ['a5', 'b5']));
    merged = mergeProgress(merged, progress(4, 0.35, ['a5', 'b5']));
    expect(merged.lossHistory.map((point) => point.step)).toEqual([4]);
  });

  it('keeps a paused run paused when a late progress event arrives', () => {
    expect(mergeProgress(run({ state: 'paused' }), progress(3, 0.3)).state).toBe('paused');
  });
});

describe('appendRankSearchTrial', () => {
  it('lists each trial once, in order, and starts over when a resumed run searches again', () => {
    let trials = appendRankSearchTrial(undefined, { done: 0, maxTrials: 25 });
    trials = appendRankSearchTrial(trials, { done: 1, maxTrials: 25, label: 'reference', validationL1: 0.2 });
    trials = appendRankSearchTrial(trials, { done: 2, maxTrials: 25, label: 'down-stage=4', validationL1: 0.21 });
    trials = appendRankSearchTrial(trials, { done: 2, maxTrials: 25, label: 'down-stage=4', validationL1: 0.21 });
    expect(trials.map((trial) => trial.done)).toEqual([0, 1, 2]);
    expect(appendRankSearchTrial(trials, { done: 0, maxTrials: 25 })).toEqual([{ done: 0, maxTrials: 25 }]);
  });
});

describe('nextSeed', () => {
  it('never returns the current seed and stays in the contract range', () => {
    expect(nextSeed(5, () => 5 / (2 ** 31 - 1))).toBe(6);
    const seed = nextSeed(5, () => 0.999999999);
    expect(seed).toBeGreaterThanOrEqual(0);
    expect(seed).toBeLessThan(2 ** 31 - 1);
  });
});

describe('FpsCounter', () => {
  it('measures the rate over the recent window only', () => {
    const fps = new FpsCounter(1000);
    for (let time = 0; time <= 1000; time += 100) fps.tick(time);
    expect(fps.rate(1000)).toBeCloseTo(10, 5);
    // After a stall, the old fast frames drop out of the window.
    fps.tick(2500);
    fps.tick(3000);
    expect(fps.rate(3000)).toBeCloseTo(2, 5);
    expect(new FpsCounter().tick(0)).toBe(0);
  });
});

/** A worker stand-in answering like ort-worker.ts does: replies carry the request's id, possibly out of order. */
class ScriptedWorker implements WorkerLike {
  readonly requests: WorkerRequest[] = [];
  readonly transfers: Transferable[][] = [];
  terminated = false;
  #listeners: { message: ((event: MessageEvent<WorkerResponse>) => void)[]; error: ((event: ErrorEvent) => void)[] } = { message: [], error: [] };

  postMessage(message: WorkerRequest, transfer: Transferable[]): void {
    this.requests.push(message);
    this.transfers.push(transfer);
  }
  addEventListener(type: 'message' | 'error', listener: never): void {
    (this.#listeners[type] as unknown[]).push(listener);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(response: WorkerResponse): void {
    for (const listener of this.#listeners.message) listener({ data: response } as MessageEvent<WorkerResponse>);
  }
  crash(message: string): void {
    for (const listener of this.#listeners.error) listener({ message } as ErrorEvent);
  }
}

describe('PreviewEngine', () => {
  it('transfers buffers and matches replies to requests by id', async () => {
    const worker = new ScriptedWorker();
    const engine = new PreviewEngine(worker);
    const model = new ArrayBuffer(8);
    const loading = engine.load(model);
    expect(worker.transfers[0]).toEqual([model]);
    const frameA = engine.run({ width: 1, height: 1, pixels: new Uint8Array([1, 2, 3, 255]).buffer });
    const frameB = engine.run({ width: 1, height: 1, pixels: new Uint8Array([4, 5, 6, 255]).buffer });
    const [load, runA, runB] = worker.requests;
    const info = { backend: 'wasm', inputName: 'image', outputName: 'styled', width: 1, height: 1 } as const;
    worker.reply({ type: 'loaded', requestId: load!.requestId, info, failures: ['webgpu: no adapter'] });
    worker.reply({ type: 'result', requestId: runB!.requestId, frame: { width: 1, height: 1, pixels: new Uint8Array([9, 9, 9, 255]).buffer }, millis: 3 });
    worker.reply({ type: 'error', requestId: runA!.requestId, message: 'frame is 1x1, the model expects 2x2' });
    await expect(loading).resolves.toEqual({ ...info, failures: ['webgpu: no adapter'] });
    await expect(frameA).rejects.toThrow('the model expects 2x2');
    const result = await frameB;
    expect([...new Uint8Array(result.frame.pixels)]).toEqual([9, 9, 9, 255]);
  });

  it('rejects pending and later requests when the worker crashes or the engine is disposed', async () => {
    const worker = new ScriptedWorker();
    const engine = new PreviewEngine(worker);
    const pending = engine.run({ width: 1, height: 1, pixels: new ArrayBuffer(4) });
    worker.crash('out of memory');
    await expect(pending).rejects.toThrow('live preview worker failed: out of memory');
    engine.dispose();
    expect(worker.terminated).toBe(true);
    await expect(engine.load(new ArrayBuffer(1))).rejects.toThrow('live preview closed');
  });
});

describe('paired imports', () => {
  const file = (name: string, relative = '') => {
    const value = new File([new Uint8Array([1])], name);
    if (relative) Object.defineProperty(value, 'webkitRelativePath', { value: relative });
    return value;
  };

  it('renames before/after folder files to NAME.input / NAME.target and leaves out non-images', () => {
    const staged = pairedFromFolders(
      [file('cat.JPG', 'before/cat.JPG'), file('notes.txt', 'before/notes.txt')],
      [file('cat.JPG', 'after/nested/cat.JPG'), file('dog.png', 'after/dog.png')],
    );
    expect(staged.map((entry) => entry.relativePath)).toEqual(['cat.input.JPG', 'cat.target.JPG', 'dog.target.png']);
  });

  it('keeps already-named files by their base name', () => {
    expect(pairedFromNamedFiles([file('x.input.png', 'set/x.input.png'), file('x.target.png')]).map((entry) => entry.relativePath)).toEqual([
      'x.input.png',
      'x.target.png',
    ]);
  });
});
