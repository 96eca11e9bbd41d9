/**
 * The model manager: installed diffusion models, importing a local export folder, downloading a Hugging Face
 * repo as a cancellable job (a new download of the same repo resumes its partial files), verifying and removing.
 */
import type { DiffusionModelInfo, DownloadPlan, HubTokenStatus, Job, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import { errorMessage } from '../errors';
import type { JobView } from './concept-workspace-state.svelte';

const DOWNLOAD_KIND = 'download-model';

export interface DownloadView extends JobView {
  repoId: string;
}

export class ModelsState {
  models: DiffusionModelInfo[] = $state.raw([]);
  download: DownloadView | null = $state.raw(null);
  /** Per model name: the problems the last verify found (empty: intact). */
  verified: Record<string, string[]> = $state({});
  /** What the last import/download/remove did, for the artist. */
  notice: string | null = $state(null);
  error: string | null = $state(null);
  busy = $state(false);
  /** A download's files and sizes, shown for confirmation before it starts. */
  plan: DownloadPlan | null = $state.raw(null);
  /** Whether a Hugging Face token is stored, and whether this back end can store one (never the token). */
  tokenStatus: HubTokenStatus | null = $state.raw(null);
  /** The desktop app has the OS folder picker; browser mode types a path (the server confines it). */
  readonly canPickFolder: boolean;

  private readonly api: StudioApi;
  private readonly load: () => Promise<void>;
  private subscriptions: Unsubscribe[] = [];

  constructor(api: StudioApi) {
    this.api = api;
    this.canPickFolder = api.mode === 'electron';
    this.load = coalesce(() => this.fetchModels());
  }

  start(): Unsubscribe {
    this.stop();
    const events = this.api.events;
    this.subscriptions.push(
      events.onModelsChanged(() => void this.load()),
      events.onJobProgress((progress) => {
        if (this.download?.jobId === progress.jobId) this.download = { ...this.download, progress: progress.progress, message: progress.message };
      }),
      events.onJobFinished(({ job }) => this.onJobFinished(job)),
    );
    void this.load();
    void this.findRunningDownload();
    void this.loadTokenStatus();
    return () => this.stop();
  }

  stop(): void {
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
  }

  async importFolder(path: string, name?: string): Promise<void> {
    const trimmed = path.trim();
    if (!trimmed) {
      this.error = 'Enter the folder of a diffusers ONNX export (it has model_index.json, unet/, vae_decoder/…).';
      return;
    }
    const model = await this.attempt(() => this.api.models.importFolder({ path: trimmed, ...(name?.trim() ? { name: name.trim() } : {}) }));
    if (model) {
      this.notice = `Installed ${model.name}`;
      await this.load();
    }
  }

  /** Opens the OS folder picker (desktop app) and imports the folder chosen; nothing when it is closed. */
  async pickAndImport(): Promise<void> {
    const picked = await this.attempt(() => this.api.app.pickFolder({ title: 'Choose a diffusers ONNX export folder' }));
    if (picked?.path) await this.importFolder(picked.path);
  }

  /** Lists what downloading the repo would fetch (sizes, cache hits, free space) for the user to confirm. */
  async checkDownload(repoId: string): Promise<void> {
    const trimmed = repoId.trim();
    if (!trimmed) {
      this.error = 'Enter a Hugging Face repo id such as org/model.';
      return;
    }
    this.plan = null;
    const plan = await this.attempt(() => this.api.models.plan({ repoId: trimmed }));
    if (plan) this.plan = plan;
  }

  async confirmDownload(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    this.plan = null;
    await this.startDownload(plan.repoId);
  }

  async saveToken(token: string): Promise<boolean> {
    const status = await this.attempt(() => this.api.models.setToken({ token }));
    if (status) {
      this.tokenStatus = status;
      this.notice = 'Token saved (encrypted on this computer)';
    }
    return status !== null;
  }

  async clearToken(): Promise<void> {
    const status = await this.attempt(() => this.api.models.clearToken());
    if (status) {
      this.tokenStatus = status;
      this.notice = 'Token removed';
    }
  }

  async startDownload(repoId: string): Promise<void> {
    const trimmed = repoId.trim();
    const job = await this.attempt(() => this.api.models.download({ repoId: trimmed }));
    if (job) this.download = { jobId: job.id, progress: 0, message: 'Queued', repoId: trimmed };
  }

  async cancelDownload(): Promise<void> {
    const download = this.download;
    if (download) await this.attempt(() => this.api.jobs.cancel({ jobId: download.jobId }));
  }

  async verify(name: string): Promise<void> {
    const result = await this.attempt(() => this.api.models.verify({ name }));
    if (result) this.verified[name] = result.problems;
  }

  async remove(name: string): Promise<void> {
    const removed = await this.attempt(async () => {
      await this.api.models.remove({ name });
      return true;
    });
    if (removed) {
      delete this.verified[name];
      this.notice = `Removed ${name}`;
      await this.load();
    }
  }

  private onJobFinished(job: Job): void {
    if (this.download?.jobId !== job.id) return;
    const { repoId } = this.download;
    this.download = null;
    if (job.state === 'done') this.notice = `Downloaded ${repoId}`;
    else if (job.state === 'cancelled') this.notice = `Download of ${repoId} cancelled; download it again to resume`;
    else if (job.state === 'failed') this.error = `Download of ${repoId} failed: ${job.error ?? 'unknown error'}`;
    void this.load();
  }

  private async attempt<T>(call: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      return await call();
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    } finally {
      this.busy = false;
    }
  }

  private async loadTokenStatus(): Promise<void> {
    try {
      this.tokenStatus = await this.api.models.tokenStatus();
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  private async fetchModels(): Promise<void> {
    try {
      this.models = await this.api.models.list();
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** After a reload, show the download still running. */
  private async findRunningDownload(): Promise<void> {
    try {
      const jobs = await this.api.jobs.list({ states: ['queued', 'running'] });
      const job = jobs.find((candidate) => (candidate.kind as string) === DOWNLOAD_KIND);
      const repoId = (job?.payload as { repoId?: string } | undefined)?.repoId;
      if (job && repoId) this.download = { jobId: job.id, progress: job.progress, message: job.message ?? null, repoId };
    } catch (error) {
      this.error = errorMessage(error);
    }
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
