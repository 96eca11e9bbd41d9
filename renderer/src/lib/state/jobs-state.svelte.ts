import type { Job, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';

const ACTIVE: Job['state'][] = ['queued', 'running'];

/** Background work across all projects, for the status bar: how many jobs run or wait, and what the newest says. */
export class JobsState {
  active: Job[] = $state.raw([]);
  /** Latest progress message per running job id. */
  private messages: Record<number, string> = $state({});

  readonly summary: string = $derived(this.describe());

  private readonly api: StudioApi;
  private readonly refresh: () => Promise<void>;
  private unsubscribers: Unsubscribe[] = [];

  constructor(api: StudioApi) {
    this.api = api;
    this.refresh = coalesce(async () => {
      try {
        this.active = await this.api.jobs.list({ states: ACTIVE });
        const activeIds = new Set(this.active.map((job) => String(job.id)));
        for (const id of Object.keys(this.messages)) if (!activeIds.has(id)) delete this.messages[Number(id)];
      } catch {
        // The status bar is informational; the next job event retries.
      }
    });
  }

  start(): () => void {
    this.unsubscribers.push(
      this.api.events.onJobChanged(() => void this.refresh()),
      this.api.events.onJobProgress(({ jobId, message }) => {
        if (message) this.messages[jobId] = message;
      }),
    );
    void this.refresh();
    return () => this.stop();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  reload(): Promise<void> {
    return this.refresh();
  }

  private describe(): string {
    if (this.active.length === 0) return '';
    const running = this.active.filter((job) => job.state === 'running');
    const newest = running[0];
    const detail = newest ? (this.messages[newest.id] ?? newest.message ?? '') : '';
    const count = `${this.active.length} background ${this.active.length === 1 ? 'job' : 'jobs'}`;
    return detail ? `${count} · ${detail}` : count;
  }
}
