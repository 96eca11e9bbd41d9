/**
 * The model manager: installed diffusion models, importing a local export folder, downloading a Hugging Face
 * repo as a cancellable job (a new download of the same repo resumes its partial files), verifying and removing.
 */
import type { DiffusionModelInfo, DownloadPlan, HubTokenStatus, Job, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import { FollowedJob, type JobView } from './job-watcher.svelte';
import { WithStatusLine } from './resource.svelte';

export interface DownloadView extends JobView {
  repoId: string;
}

export class ModelsState extends WithStatusLine {
  /** Per model name: the problems the last verify found (empty: intact). */
  verified: Record<string, string[]> = $state({});
  /** What the last import/download/remove did, for the artist. */
  notice: string | null = $state(null);
  /** A download's files and sizes, shown for confirmation before it starts. */
  plan: DownloadPlan | null = $state.raw(null);
  /** Whether a Hugging Face token is stored, and whether this back end can store one (never the token). */
  tokenStatus: HubTokenStatus | null = $state.raw(null);
  /** The desktop app has the OS folder picker; browser mode types a path (the server confines it). */
  readonly canPickFolder: boolean;

  private readonly modelList = this.status.resource<DiffusionModelInfo[]>([]);
  private readonly api: StudioApi;
  private readonly load: () => Promise<void>;
  private readonly downloads: FollowedJob<'download-model', DownloadView>;
  private subscriptions: Unsubscribe[] = [];

  get models(): DiffusionModelInfo[] {
    return this.modelList.value;
  }
  /** True while an action runs. */
  get busy(): boolean {
    return this.status.busy;
  }
  /** The running download, or null. */
  get download(): DownloadView | null {
    return this.downloads.view;
  }

  constructor(api: StudioApi) {
    super();
    this.api = api;
    this.canPickFolder = api.mode === 'electron';
    this.load = coalesce(() => this.modelList.load(() => this.api.models.list()));
    this.downloads = new FollowedJob(api, { kind: 'download-model', onEnd: (job) => this.endDownload(job) });
  }

  start(): Unsubscribe {
    this.stop();
    this.subscriptions.push(
      this.api.events.onModelsChanged(() => void this.load()),
      this.downloads.start(),
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
    const model = await this.act(() => this.api.models.importFolder({ path: trimmed, ...(name?.trim() ? { name: name.trim() } : {}) }));
    if (model) {
      this.notice = `Installed ${model.name}`;
      await this.load();
    }
  }

  /** Opens the OS folder picker (desktop app) and imports the folder chosen; nothing when it is closed. */
  async pickAndImport(): Promise<void> {
    const picked = await this.act(() => this.api.app.pickFolder({ title: 'Choose a diffusers ONNX export folder' }));
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
    const plan = await this.act(() => this.api.models.plan({ repoId: trimmed }));
    if (plan) this.plan = plan;
  }

  async confirmDownload(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    this.plan = null;
    await this.startDownload(plan.repoId);
  }

  async saveToken(token: string): Promise<boolean> {
    const status = await this.act(() => this.api.models.setToken({ token }));
    if (status) {
      this.tokenStatus = status;
      this.notice = 'Token saved (encrypted on this computer)';
    }
    return status !== null;
  }

  async clearToken(): Promise<void> {
    const status = await this.act(() => this.api.models.clearToken());
    if (status) {
      this.tokenStatus = status;
      this.notice = 'Token removed';
    }
  }

  async startDownload(repoId: string): Promise<void> {
    const trimmed = repoId.trim();
    const job = await this.act(() => this.api.models.download({ repoId: trimmed }));
    if (job) this.downloads.follow(job, { jobId: job.id, progress: 0, message: 'Queued', repoId: trimmed });
  }

  async cancelDownload(): Promise<void> {
    const download = this.download;
    if (download) await this.act(() => this.api.jobs.cancel({ jobId: download.jobId }));
  }

  async verify(name: string): Promise<void> {
    const result = await this.act(() => this.api.models.verify({ name }));
    if (result) this.verified[name] = result.problems;
  }

  async remove(name: string): Promise<void> {
    const removed = await this.act(async () => {
      await this.api.models.remove({ name });
      return true;
    });
    if (removed) {
      delete this.verified[name];
      this.notice = `Removed ${name}`;
      await this.load();
    }
  }

  private endDownload(job: Job<'download-model'>): void {
    const { repoId } = job.payload;
    if (job.state === 'done') this.notice = `Downloaded ${repoId}`;
    else if (job.state === 'cancelled') this.notice = `Download of ${repoId} cancelled; download it again to resume`;
    else if (job.state === 'failed') this.error = `Download of ${repoId} failed: ${job.error ?? 'unknown error'}`;
    void this.load();
  }

  /** A user action: the last notice goes with the last error (StatusLine.act clears that). */
  private act<T>(call: () => Promise<T>): Promise<T | null> {
    this.notice = null;
    return this.status.act(call);
  }

  private async loadTokenStatus(): Promise<void> {
    const status = await this.status.attempt(() => this.api.models.tokenStatus());
    if (status) this.tokenStatus = status;
  }

  /** After a reload, show the download still running. */
  private async findRunningDownload(): Promise<void> {
    await this.status.attempt(() =>
      this.downloads.resume((job) => ({ jobId: job.id, progress: job.progress, message: job.message ?? null, repoId: job.payload.repoId })),
    );
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
