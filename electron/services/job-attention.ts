/**
 * Long jobs (training, pair generation, model downloads) get the user's attention when they end while the window
 * is in the background, and show their progress on the taskbar / dock while they run. Job events in, calls on an
 * AttentionTarget out: the Electron main process binds the target to BrowserWindow.setProgressBar and
 * Notification, browser mode to the Web Notifications API. Imports nothing platform-specific.
 */
import { parseRankSearchProgress } from '../domain/rank-search-progress';
import type { Job, JobKind, JobProgress } from '../domain/types';

export type AttentionProgress =
  | { mode: 'none' }
  | { mode: 'normal'; fraction: number }
  /** Running but with no fraction to show (a rank search: its length is only bounded). */
  | { mode: 'indeterminate' };

export interface AttentionTarget {
  /** True while the user is looking at the app (its window has focus). */
  isFocused(): boolean;
  setProgress(progress: AttentionProgress): void;
  notify(notification: { title: string; body: string }): void;
}

export const LONG_JOB_KINDS: readonly JobKind[] = ['train-run', 'generate-pairs', 'download-model'];

/** Progress changes smaller than this are not passed on: training reports hundreds of steps a second. */
const PROGRESS_STEP = 0.005;

export class JobAttention {
  /** Long jobs running now: their latest fraction, or null while indeterminate. */
  private readonly running = new Map<number, number | null>();
  private shown: AttentionProgress = { mode: 'none' };
  /** Jobs looked up once and found not to be long (an import's thousand progress events ask only once). */
  private readonly ignored = new Set<number>();

  constructor(
    private readonly target: AttentionTarget,
    /** Finds a job whose start this object did not see (it was already running when the app window opened). */
    private readonly lookup: (jobId: number) => Job | undefined = () => undefined,
  ) {}

  jobChanged(job: Job): void {
    if (!LONG_JOB_KINDS.includes(job.kind)) {
      if (job.state !== 'queued' && job.state !== 'running') this.ignored.delete(job.id);
      return;
    }
    if (job.state === 'queued') return;
    if (job.state === 'running') {
      if (!this.running.has(job.id)) this.running.set(job.id, job.progress);
      this.update();
      return;
    }
    this.running.delete(job.id);
    this.update();
    const notification = describeEnd(job);
    if (notification && !this.target.isFocused()) this.target.notify(notification);
  }

  jobProgress(progress: JobProgress): void {
    if (!this.running.has(progress.jobId)) {
      if (this.ignored.has(progress.jobId)) return;
      const job = this.lookup(progress.jobId);
      if (job?.state !== 'running' || !LONG_JOB_KINDS.includes(job.kind)) {
        this.ignored.add(progress.jobId);
        return;
      }
    }
    this.running.set(progress.jobId, parseRankSearchProgress(progress.message) ? null : progress.progress);
    this.update();
  }

  private update(): void {
    const next = combined([...this.running.values()]);
    const same =
      next.mode === this.shown.mode && (next.mode !== 'normal' || Math.abs(next.fraction - (this.shown as { fraction: number }).fraction) < PROGRESS_STEP);
    if (same) return;
    this.shown = next;
    this.target.setProgress(next);
  }
}

/** One bar for all long jobs: the mean of their fractions; indeterminate while any of them has none. */
function combined(fractions: (number | null)[]): AttentionProgress {
  if (fractions.length === 0) return { mode: 'none' };
  if (fractions.some((fraction) => fraction === null)) return { mode: 'indeterminate' };
  const sum = (fractions as number[]).reduce((total, fraction) => total + Math.min(1, Math.max(0, fraction)), 0);
  return { mode: 'normal', fraction: sum / fractions.length };
}

/**
 * What a finished long job says in a notification; null when there is nothing to tell: the user stopped it
 * (cancel, pause) or the app was closing (interrupted).
 */
export function describeEnd(job: Job): { title: string; body: string } | null {
  if (job.state === 'failed') {
    return { title: `${KIND_NAMES[job.kind] ?? 'Job'} failed`, body: job.error ?? 'It stopped with an error.' };
  }
  if (job.state !== 'done') return null;
  if (job.kind === 'train-run') {
    if (!job.result?.completed) return null;
    return { title: 'Training finished', body: `Run #${job.result.runId} finished all ${job.result.step} steps: its previews and export are ready.` };
  }
  if (job.kind === 'generate-pairs') {
    const made = job.result?.pairIds.length ?? 0;
    const failed = job.result?.failed.length ?? 0;
    // A pair the guard flagged is made and also listed as failed, so the two counts overlap.
    const problems = failed > 0 ? `; ${failed} photo${failed === 1 ? '' : 's'} flagged or failed` : '';
    return { title: 'Pairs ready', body: `${made} pair${made === 1 ? '' : 's'} made${problems}: ready to review.` };
  }
  if (job.kind === 'download-model') return { title: 'Model downloaded', body: `${job.payload.repoId} is installed.` };
  return null;
}

const KIND_NAMES: Partial<Record<JobKind, string>> = {
  'train-run': 'Training',
  'generate-pairs': 'Pair generation',
  'download-model': 'Model download',
};
