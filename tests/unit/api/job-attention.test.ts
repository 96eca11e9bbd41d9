import { describe, expect, it } from 'vitest';
import { electronAttentionTarget } from '../../../electron/main/attention';
import { JobAttention, type AttentionProgress } from '../../../electron/services/job-attention';
import { formatRankSearchProgress } from '../../../electron/domain/rank-search-progress';
import type { Job, JobKind } from '../../../electron/domain/types';

/** Records what Electron's setProgressBar / Notification would have been asked to do. */
class FakeWindow {
  focused = false;
  readonly progress: AttentionProgress[] = [];
  readonly notifications: { title: string; body: string }[] = [];
  readonly target = {
    isFocused: () => this.focused,
    setProgress: (progress: AttentionProgress) => void this.progress.push(progress),
    notify: (notification: { title: string; body: string }) => void this.notifications.push(notification),
  };
}

let nextId = 1;
function job<K extends JobKind>(kind: K, state: Job['state'], extra: Partial<Job> = {}): Job {
  const payloads: Record<JobKind, unknown> = {
    'train-run': { runId: 4 },
    'generate-pairs': { projectId: 1, conceptId: 2, imageIds: [1, 2] },
    'download-model': { repoId: 'org/model', modelsDir: '/m' },
    'import-images': { projectId: 1, files: [] },
    'export-bundle': { projectId: 1 },
  };
  return {
    id: nextId++,
    kind,
    projectId: 1,
    state,
    progress: 0,
    message: null,
    payload: payloads[kind],
    result: null,
    error: null,
    createdAt: '2026-12-03T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    ...extra,
  } as Job;
}
const progress = (jobId: number, fraction: number, message: string | null = null) => ({ jobId, projectId: 1, progress: fraction, message });

describe('JobAttention', () => {
  it('shows a training run on the taskbar, indeterminate during its rank search, and clears it when the run ends', () => {
    const window = new FakeWindow();
    const attention = new JobAttention(window.target);
    const training = job('train-run', 'running');
    attention.jobChanged(training);
    attention.jobProgress(progress(training.id, 0, formatRankSearchProgress({ done: 1, maxTrials: 25, label: 'reference', validationL1: 0.2 })));
    attention.jobProgress(progress(training.id, 0.25, 'step 25 of 100'));
    attention.jobProgress(progress(training.id, 0.251, 'step 25 of 100'));
    attention.jobProgress(progress(training.id, 0.5, 'step 50 of 100'));
    attention.jobChanged({ ...training, state: 'done', result: { runId: 4, step: 100, completed: true } } as Job);
    expect(window.progress).toEqual([
      { mode: 'normal', fraction: 0 },
      { mode: 'indeterminate' },
      { mode: 'normal', fraction: 0.25 },
      { mode: 'normal', fraction: 0.5 },
      { mode: 'none' },
    ]);
    expect(window.notifications).toEqual([{ title: 'Training finished', body: 'Run #4 finished all 100 steps: its previews and export are ready.' }]);
  });

  it('notifies only while the window is in the background', () => {
    const window = new FakeWindow();
    const attention = new JobAttention(window.target);
    window.focused = true;
    const pairs = job('generate-pairs', 'running');
    attention.jobChanged(pairs);
    attention.jobChanged({
      ...pairs,
      state: 'done',
      result: { pairIds: [1, 2, 3], failed: [{ imageId: 9, reason: 'x' }], notProcessed: 0, cancelled: [] },
    } as Job);
    expect(window.notifications).toEqual([]);
    window.focused = false;
    const again = job('generate-pairs', 'running');
    attention.jobChanged(again);
    attention.jobChanged({ ...again, state: 'done', result: { pairIds: [1], failed: [], notProcessed: 0, cancelled: [] } } as Job);
    expect(window.notifications).toEqual([{ title: 'Pairs ready', body: '1 pair made: ready to review.' }]);
  });

  it('says why a long job failed, and stays quiet for what the user did (cancel, pause) or a closing app', () => {
    const window = new FakeWindow();
    const attention = new JobAttention(window.target);
    const failing = job('download-model', 'running');
    attention.jobChanged(failing);
    attention.jobChanged({ ...failing, state: 'failed', error: 'HTTP 401 from the hub' });
    for (const end of [{ state: 'cancelled' }, { state: 'interrupted' }, { state: 'done', result: { runId: 4, step: 40, completed: false } }] as const) {
      const training = job('train-run', 'running');
      attention.jobChanged(training);
      attention.jobChanged({ ...training, ...end } as Job);
    }
    expect(window.notifications).toEqual([{ title: 'Model download failed', body: 'HTTP 401 from the hub' }]);
    expect(window.progress.at(-1)).toEqual({ mode: 'none' });
  });

  it('ignores short jobs, averages several long ones, and picks up a job already running through the lookup', () => {
    const window = new FakeWindow();
    const running = job('train-run', 'running', { progress: 0.4 });
    const importing = job('import-images', 'running');
    const lookedUp: number[] = [];
    const attention = new JobAttention(window.target, (id) => {
      lookedUp.push(id);
      return id === running.id ? running : id === importing.id ? importing : undefined;
    });
    // Started before this object existed: only its progress events arrive.
    for (let i = 1; i <= 100; i++) attention.jobProgress(progress(importing.id, i / 100));
    attention.jobChanged({ ...importing, state: 'done' });
    expect(window.progress).toEqual([]);
    expect(lookedUp).toEqual([importing.id]);
    attention.jobProgress(progress(running.id, 0.4));
    const pairs = job('generate-pairs', 'running');
    attention.jobChanged(pairs);
    attention.jobProgress(progress(pairs.id, 0.8));
    // The new pair job starts at 0, so the mean drops to 0.2, then rises to (0.4 + 0.8) / 2.
    expect(window.progress.map((shown) => shown.mode)).toEqual(['normal', 'normal', 'normal']);
    const fractions = window.progress.map((shown) => (shown.mode === 'normal' ? shown.fraction : NaN));
    expect(fractions[0]).toBeCloseTo(0.4, 10);
    expect(fractions[1]).toBeCloseTo(0.2, 10);
    expect(fractions[2]).toBeCloseTo(0.6, 10);
    attention.jobProgress(progress(9999, 0.5));
    expect(window.progress).toHaveLength(3);
    expect(window.notifications).toEqual([]);
  });
});

describe('electronAttentionTarget', () => {
  /** The parts of BrowserWindow and Notification it uses, recording their calls. */
  function fakes() {
    const calls: string[] = [];
    const state = { focused: true, minimized: false, visible: true, destroyed: false };
    const window = {
      isDestroyed: () => state.destroyed,
      isFocused: () => state.focused,
      isMinimized: () => state.minimized,
      isVisible: () => state.visible,
      setProgressBar: (value: number, options?: { mode?: string }) => void calls.push(`progress ${value} ${options?.mode}`),
      show: () => void calls.push('show'),
      restore: () => void calls.push('restore'),
      focus: () => void calls.push('focus'),
    };
    const clicks: (() => void)[] = [];
    class FakeNotification {
      static supported = true;
      static isSupported() {
        return FakeNotification.supported;
      }
      constructor(private readonly options: { title?: string; body?: string }) {}
      on(event: string, listener: () => void) {
        if (event === 'click') clicks.push(listener);
        return this;
      }
      show() {
        calls.push(`notify ${this.options.title}: ${this.options.body}`);
      }
    }
    return { calls, state, window, clicks, FakeNotification };
  }

  it('maps progress to setProgressBar (fraction, indeterminate, removed) and focus to a visible, unminimised, focused window', () => {
    const { calls, state, window, FakeNotification } = fakes();
    const target = electronAttentionTarget(() => window as never, FakeNotification as never);
    target.setProgress({ mode: 'normal', fraction: 0.25 });
    target.setProgress({ mode: 'indeterminate' });
    target.setProgress({ mode: 'none' });
    expect(calls).toEqual(['progress 0.25 normal', 'progress 2 indeterminate', 'progress -1 none']);
    expect(target.isFocused()).toBe(true);
    state.minimized = true;
    expect(target.isFocused()).toBe(false);
    state.minimized = false;
    state.focused = false;
    expect(target.isFocused()).toBe(false);
    state.destroyed = true;
    target.setProgress({ mode: 'normal', fraction: 0.5 });
    expect(calls).toHaveLength(3);
  });

  it('shows a notification that brings the window back when clicked, and none where notifications are unsupported', () => {
    const { calls, state, window, clicks, FakeNotification } = fakes();
    const target = electronAttentionTarget(() => window as never, FakeNotification as never);
    state.minimized = true;
    target.notify({ title: 'Training finished', body: 'Run #4' });
    expect(calls).toEqual(['notify Training finished: Run #4']);
    clicks[0]!();
    expect(calls.slice(1)).toEqual(['restore', 'show', 'focus']);
    FakeNotification.supported = false;
    target.notify({ title: 'Pairs ready', body: '3 pairs' });
    expect(calls).toHaveLength(4);
  });
});
