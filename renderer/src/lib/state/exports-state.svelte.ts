import type {
  ExportRecord,
  Job,
  JobProgress,
  Precision,
  ShareAddress,
  ShareState,
  StudioApi,
  TrainingRun,
  Unsubscribe,
} from '../../../../electron/api/contract';
import { errorMessage } from '../errors';
import type { ProgressView } from '../view-types';

const EXPORT_KIND = 'export-bundle';

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
export class ExportsState {
  exports: ExportRecord[] = $state.raw([]);
  share: ShareState = $state.raw({ active: false, exportId: null, endedReason: null });
  activeJob: Job | null = $state.raw(null);
  progress: ProgressView | null = $state(null);
  error: string | null = $state(null);
  /** This machine's adapters a phone might reach (loaded when sharing starts), the suggested one first. */
  addresses: ShareAddress[] = $state.raw([]);
  /** Ticks every second while sharing, for the expiry countdown. */
  now = $state(Date.now());

  readonly secondsLeft: number = $derived(this.share.active ? Math.max(0, Math.round((Date.parse(this.share.expiresAt) - this.now) / 1000)) : 0);

  private unsubscribers: Unsubscribe[] = [];
  /** A quick export can finish before exports.start answers; its end must not leave it shown as running. */
  private finishedIds = new Set<number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly api: StudioApi;
  private readonly projectId: number;

  constructor(api: StudioApi, projectId: number) {
    this.api = api;
    this.projectId = projectId;
  }

  start(): () => void {
    this.unsubscribers.push(
      this.api.events.onExportsChanged((e) => e.projectId === this.projectId && void this.loadExports()),
      this.api.events.onShareChanged((state) => this.setShare(state)),
      this.api.events.onJobProgress((event) => this.onProgress(event)),
      this.api.events.onJobFinished(({ job }) => this.onFinished(job)),
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
    try {
      const job = await this.api.exports.start({
        projectId: this.projectId,
        conceptId: request.conceptId,
        ...('runPath' in request.source ? { runPath: request.source.runPath.trim() } : { trainingRunId: request.source.trainingRunId }),
        precisions: request.precisions,
        ...(request.size !== undefined ? { size: request.size } : {}),
        ...(request.snapshot ? { snapshot: true } : {}),
      });
      if (!this.finishedIds.has(job.id)) {
        this.activeJob = job;
        this.progress ??= { fraction: 0, label: 'Queued' };
      }
      return true;
    } catch (error) {
      this.error = `Could not start the export: ${errorMessage(error)}`;
      return false;
    }
  }

  /** The project's finished training runs, the usual thing to export. */
  async finishedRuns(): Promise<TrainingRun[]> {
    try {
      return (await this.api.training.list({ projectId: this.projectId })).filter((run) => run.state === 'done');
    } catch (error) {
      this.error = `Could not list the training runs: ${errorMessage(error)}`;
      return [];
    }
  }

  async cancelExport(): Promise<void> {
    if (!this.activeJob) return;
    try {
      await this.api.jobs.cancel({ jobId: this.activeJob.id });
    } catch (error) {
      this.error = `Could not cancel the export: ${errorMessage(error)}`;
    }
  }

  async deleteExport(exportId: number): Promise<void> {
    try {
      await this.api.exports.delete({ exportId });
      this.exports = this.exports.filter((e) => e.id !== exportId);
    } catch (error) {
      this.error = `Could not delete the export: ${errorMessage(error)}`;
    }
  }

  /** Starts (or restarts, on another adapter) sharing an export; `host` is one of `addresses`. */
  async sendToPhone(exportId: number, host?: string): Promise<void> {
    this.error = null;
    try {
      this.addresses = await this.api.share.addresses();
      this.setShare(await this.api.share.start({ exportId, ...(host ? { host } : {}) }));
    } catch (error) {
      this.error = `Could not start sharing: ${errorMessage(error)}`;
    }
  }

  async stopSharing(): Promise<void> {
    try {
      this.setShare(await this.api.share.stop());
    } catch (error) {
      this.error = `Could not stop sharing: ${errorMessage(error)}`;
    }
  }

  private async loadExports(): Promise<void> {
    try {
      this.exports = await this.api.exports.list({ projectId: this.projectId });
    } catch (error) {
      this.error = `Could not list the exports: ${errorMessage(error)}`;
    }
  }

  private async loadShare(): Promise<void> {
    try {
      this.setShare(await this.api.share.state());
    } catch (error) {
      this.error = `Could not read the sharing state: ${errorMessage(error)}`;
    }
  }

  /** After a reload the export job may still be running. */
  private async loadActiveJob(): Promise<void> {
    const jobs = await this.api.jobs.list({ projectId: this.projectId, states: ['queued', 'running'] });
    const job = jobs.find((j) => j.kind === EXPORT_KIND) ?? null;
    this.activeJob = job;
    this.progress = job ? { fraction: job.progress, label: job.message ?? 'Queued' } : null;
  }

  private onProgress(event: JobProgress): void {
    if (event.projectId !== this.projectId || event.jobId !== this.activeJob?.id) return;
    this.progress = { fraction: event.progress, label: event.message ?? '' };
  }

  private onFinished(job: Job): void {
    if (job.kind !== EXPORT_KIND || job.projectId !== this.projectId) return;
    this.finishedIds.add(job.id);
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
