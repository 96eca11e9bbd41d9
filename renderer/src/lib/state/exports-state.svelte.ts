import type { ExportRecord, Job, Precision, ShareAddress, ShareState, StudioApi, TrainingRun, Unsubscribe } from '../../../../electron/api/contract';
import type { ProgressView } from '../view-types';
import { JobWatcher } from './job-watcher.svelte';
import { WithStatusLine } from './resource.svelte';

export interface ExportRequest {
  conceptId: number | null;
  /** A finished studio training run, or a run folder made by `e2gan train`. */
  source: { trainingRunId: number } | { runPath: string };
  precisions: Precision[];
  /** Side of the phone model's input in pixels (default 256). */
  size?: number;
  /** Export the training run's newest checkpoint now, while it trains. */
  snapshot?: boolean;
}

/**
 * A project's mobile-bundle exports: starting one from a finished training run folder, the running export's
 * progress, the list of finished bundles, and "send to phone" (one share at a time, app-wide).
 */
export class ExportsState extends WithStatusLine {
  share: ShareState = $state.raw({ active: false, exportId: null, endedReason: null });
  activeJob: Job<'export-bundle'> | null = $state.raw(null);
  progress: ProgressView | null = $state(null);
  /** This machine's adapters a phone might reach (loaded when sharing starts), the suggested one first. */
  addresses: ShareAddress[] = $state.raw([]);
  /** Ticks every second while sharing, for the expiry countdown. */
  now = $state(Date.now());

  readonly secondsLeft: number = $derived(this.share.active ? Math.max(0, Math.round((Date.parse(this.share.expiresAt) - this.now) / 1000)) : 0);

  private readonly exportList = this.status.resource<ExportRecord[]>([], 'Could not list the exports');
  /** The project's export jobs still queued or running, read on each reload; the first is shown as `activeJob`. */
  private readonly runningExports = this.status.resource<Job<'export-bundle'>[]>([], 'Could not check for a running export');
  private unsubscribers: Unsubscribe[] = [];
  /** The project's export jobs; the one shown is `activeJob`. */
  private readonly exportJobs: JobWatcher<'export-bundle'>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly api: StudioApi;
  private readonly projectId: number;

  get exports(): ExportRecord[] {
    return this.exportList.value;
  }

  constructor(api: StudioApi, projectId: number) {
    super();
    this.api = api;
    this.projectId = projectId;
    this.exportJobs = new JobWatcher(api, {
      kind: 'export-bundle',
      projectId,
      followed: () => this.activeJob?.id ?? null,
      onProgress: (event) => {
        this.progress = { fraction: event.progress, label: event.message ?? '' };
      },
      onFinished: (job) => this.onFinished(job),
    });
  }

  start(): () => void {
    this.unsubscribers.push(
      this.api.events.onExportsChanged((e) => e.projectId === this.projectId && void this.loadExports()),
      this.api.events.onShareChanged((state) => this.setShare(state)),
      this.exportJobs.start(),
    );
    return () => this.stop();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.setTimer(false);
  }

  async reload(): Promise<void> {
    await Promise.all([this.loadExports(), this.loadShare(), this.loadActiveJob()]);
  }

  async startExport(request: ExportRequest): Promise<boolean> {
    this.error = null;
    const job = await this.status.attempt(
      () =>
        this.api.exports.start({
          projectId: this.projectId,
          conceptId: request.conceptId,
          ...('runPath' in request.source ? { runPath: request.source.runPath.trim() } : { trainingRunId: request.source.trainingRunId }),
          precisions: request.precisions,
          ...(request.size !== undefined ? { size: request.size } : {}),
          ...(request.snapshot ? { snapshot: true } : {}),
        }),
      'Could not start the export',
    );
    if (!job) return false;
    // A quick export can finish before exports.start answers; its end must not leave it shown as running.
    if (!this.exportJobs.finishedBeforeFollowed(job.id)) {
      this.activeJob = job;
      this.progress ??= { fraction: 0, label: 'Queued' };
    }
    return true;
  }

  /** The project's finished training runs, the usual thing to export. */
  async finishedRuns(): Promise<TrainingRun[]> {
    const runs = await this.status.attempt(() => this.api.training.list({ projectId: this.projectId }), 'Could not list the training runs');
    return (runs ?? []).filter((run) => run.state === 'done');
  }

  async cancelExport(): Promise<void> {
    const job = this.activeJob;
    if (job) await this.status.attempt(() => this.api.jobs.cancel({ jobId: job.id }), 'Could not cancel the export');
  }

  async deleteExport(exportId: number): Promise<void> {
    const deleted = await this.status.attempt(() => this.api.exports.delete({ exportId }).then(() => true), 'Could not delete the export');
    if (deleted) this.exportList.set(this.exports.filter((e) => e.id !== exportId));
  }

  /** Starts (or restarts, on another adapter) sharing an export; `host` is one of `addresses`. */
  async sendToPhone(exportId: number, host?: string): Promise<void> {
    this.error = null;
    await this.status.attempt(async () => {
      this.addresses = await this.api.share.addresses();
      this.setShare(await this.api.share.start({ exportId, ...(host ? { host } : {}) }));
    }, 'Could not start sharing');
  }

  async stopSharing(): Promise<void> {
    const state = await this.status.attempt(() => this.api.share.stop(), 'Could not stop sharing');
    if (state) this.setShare(state);
  }

  private async loadExports(): Promise<void> {
    await this.exportList.load(() => this.api.exports.list({ projectId: this.projectId }));
  }

  private async loadShare(): Promise<void> {
    const state = await this.status.attempt(() => this.api.share.state(), 'Could not read the sharing state');
    if (state) this.setShare(state);
  }

  /**
   * After a reload the export job may still be running. A failed listing shows on the error line and keeps what
   * is shown; it must not reject, or the project page's reload would never finish loading.
   */
  private async loadActiveJob(): Promise<void> {
    if (!(await this.runningExports.load(() => this.exportJobs.running()))) return;
    const job = this.runningExports.value[0] ?? null;
    this.activeJob = job;
    this.progress = job ? { fraction: job.progress, label: job.message ?? 'Queued' } : null;
  }

  /** Any of the project's exports finished: the one shown, or one started elsewhere. */
  private onFinished(job: Job<'export-bundle'>): void {
    if (this.activeJob?.id === job.id || this.activeJob === null) {
      this.activeJob = null;
      this.progress = null;
    }
    if (job.state === 'failed') this.error = `Export failed: ${job.error ?? 'unknown error'}`;
    void this.loadExports();
  }

  private setShare(state: ShareState): void {
    this.share = state;
    this.now = Date.now();
    this.setTimer(state.active);
  }

  private setTimer(on: boolean): void {
    if (on && !this.timer) this.timer = setInterval(() => (this.now = Date.now()), 1000);
    if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
