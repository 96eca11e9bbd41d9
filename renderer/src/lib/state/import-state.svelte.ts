import type { FileToStage, Job, JobProgress, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { selectionFromFiles, type DroppedFile, type DroppedSelection } from '../dropped-files';
import type { ProgressView, SkippedFile } from '../view-types';
import { WithStatusLine } from './resource.svelte';

const IMPORT_KIND = 'import-images';
const ACTIVE_STATES: readonly Job['state'][] = ['queued', 'running'];

/**
 * Photo imports of one project: staging dropped files, the running job's progress, the files the last
 * import skipped (from the persisted job result, so they survive a reload) and an interrupted import.
 */
export class ImportState extends WithStatusLine {
  /** Upload/staging phase, before the job exists. */
  private staging: ProgressView | null = $state(null);
  private jobProgress: ProgressView | null = $state(null);
  activeJobIds: number[] = $state.raw([]);
  skipped: SkippedFile[] = $state.raw([]);
  interrupted: Job | null = $state.raw(null);

  readonly progress: ProgressView | null = $derived(this.jobProgress ?? this.staging);
  readonly busy: boolean = $derived(this.staging !== null || this.activeJobIds.length > 0);

  private unsubscribers: Unsubscribe[] = [];
  /** Finish events can overtake the imports.start reply; remember them so the job is not tracked forever. */
  private finishedEarly = new Map<number, Job>();

  private readonly api: StudioApi;
  private readonly projectId: number;

  constructor(api: StudioApi, projectId: number) {
    super();
    this.api = api;
    this.projectId = projectId;
  }

  start(): () => void {
    this.unsubscribers.push(
      this.api.events.onJobProgress((event) => this.onProgress(event)),
      this.api.events.onJobFinished(({ job }) => this.onFinished(job)),
      this.api.events.onJobChanged(({ job }) => this.onChanged(job)),
    );
    return () => this.stop();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  importFiles(files: DroppedFile[]): Promise<void> {
    return this.importSelection(selectionFromFiles(files));
  }

  async importSelection(selection: DroppedSelection): Promise<void> {
    if (this.activeJobIds.length === 0) this.skipped = [];
    this.error = null;
    this.staging = { fraction: 0, label: 'Preparing…' };
    try {
      await this.status.attempt(async () => {
        // Electron imports dropped files and folders from where they are on disk (the back end walks folders);
        // a browser has no paths, so every file inside is uploaded.
        const files = this.api.mode === 'electron' && selection.topLevel ? selection.topLevel : await selection.expand();
        if (files.length === 0) return;
        const noun = files.length === 1 ? 'item' : 'items';
        if (this.api.mode === 'browser') this.staging = { fraction: 0, label: `Uploading ${files.length} ${noun}…` };
        const toStage: FileToStage[] = files.map(({ file, relativePath }) => ({ file, relativePath }));
        const sources = await this.api.stageFiles(toStage);
        this.track(await this.api.imports.start({ projectId: this.projectId, sources }), `Importing ${files.length} ${noun}…`);
      }, 'Import failed');
    } finally {
      this.staging = null;
    }
  }

  /** Imports the photos shipped with the app (a first try without one's own), tracked like any import. */
  async importSamples(): Promise<void> {
    this.error = null;
    const job = await this.status.attempt(() => this.api.imports.samples({ projectId: this.projectId }), 'Could not import the sample photos');
    if (job) this.track(job, 'Importing the sample photos…');
  }

  async cancel(): Promise<void> {
    await Promise.all(this.activeJobIds.map((jobId) => this.status.attempt(() => this.api.jobs.cancel({ jobId }), 'Could not cancel')));
  }

  async resumeInterrupted(): Promise<void> {
    const job = this.interrupted;
    if (!job) return;
    const resumed = await this.status.attempt(() => this.api.jobs.resume({ jobId: job.id }), 'Could not resume the import');
    if (!resumed) return;
    this.interrupted = null;
    this.activeJobIds = [...this.activeJobIds, resumed.id];
    this.jobProgress = { fraction: resumed.progress, label: resumed.message ?? 'Resuming import…' };
  }

  async discardInterrupted(): Promise<void> {
    const job = this.interrupted;
    if (!job) return;
    const discarded = await this.status.attempt(() => this.api.jobs.discard({ jobId: job.id }), 'Could not discard the import');
    if (discarded) this.interrupted = null;
  }

  dismissSkipped(): void {
    this.skipped = [];
  }

  /** Reads the project's import jobs: attaches to running ones, shows the last result and any interrupted one. */
  async reload(): Promise<void> {
    const jobs = await this.status.attempt(() => this.api.jobs.list({ projectId: this.projectId }), 'Could not load import history');
    if (!jobs) return;
    const newestFirst = jobs.filter((j) => j.kind === IMPORT_KIND).sort((a, b) => b.id - a.id);
    const active = newestFirst.filter((j) => ACTIVE_STATES.includes(j.state));
    this.activeJobIds = [];
    this.jobProgress = null;
    if (active.length > 0) {
      this.activeJobIds = active.map((j) => j.id).reverse();
      const oldest = active[active.length - 1]!;
      this.jobProgress = { fraction: oldest.progress, label: oldest.message ?? 'Importing…' };
    }
    this.interrupted = newestFirst.find((j) => j.state === 'interrupted') ?? null;
    const lastFinished = newestFirst.find((j) => j.state === 'done' || j.state === 'cancelled');
    if (lastFinished) this.skipped = skippedOf(lastFinished);
  }

  /** Follows a job an import call answered with, unless its finish overtook the answer (then shows that). */
  private track(job: Job, label: string): void {
    const early = this.finishedEarly.get(job.id);
    if (early) this.applyFinished(early);
    else {
      this.activeJobIds = [...this.activeJobIds, job.id];
      this.jobProgress = { fraction: job.progress, label: job.message ?? label };
    }
  }

  private onProgress(event: JobProgress): void {
    if (event.projectId !== this.projectId) return;
    // While our imports.start call is still in flight the job id is unknown, but the job may already be
    // reporting; a project's progress seen during staging is ours.
    const ours = event.jobId === this.activeJobIds[0] || (this.staging !== null && this.activeJobIds.length === 0);
    if (!ours || this.finishedEarly.has(event.jobId)) return;
    this.jobProgress = { fraction: event.progress, label: event.message ?? 'Importing…' };
  }

  private onChanged(job: Job): void {
    if (job.projectId !== this.projectId || job.kind !== IMPORT_KIND) return;
    if (job.state === 'interrupted') {
      this.interrupted = job;
      this.removeActive(job.id);
    }
  }

  private onFinished(job: Job): void {
    if (job.projectId !== this.projectId || job.kind !== IMPORT_KIND) return;
    if (!this.activeJobIds.includes(job.id)) {
      this.finishedEarly.set(job.id, job);
      return;
    }
    this.applyFinished(job);
  }

  private applyFinished(job: Job): void {
    this.finishedEarly.delete(job.id);
    this.removeActive(job.id);
    if (job.state === 'interrupted') {
      this.interrupted = job;
      return;
    }
    this.skipped = [...this.skipped, ...skippedOf(job)];
    if (job.state === 'failed') this.error = `Import failed: ${job.error ?? 'unknown error'}`;
  }

  private removeActive(jobId: number): void {
    this.activeJobIds = this.activeJobIds.filter((id) => id !== jobId);
    if (this.activeJobIds.length === 0) this.jobProgress = null;
  }
}

function skippedOf(job: Job): SkippedFile[] {
  if (job.kind !== 'import-images' || !job.result) return [];
  const result = job.result;
  return [
    ...result.skipped.map(({ name, reason }) => ({ name, reason })),
    ...result.duplicates.map(({ name }) => ({ name, reason: 'already in this project' })),
  ];
}
