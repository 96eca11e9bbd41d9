/**
 * The concept workspace (the project page's Pairs, Train and Preview steps for one concept): its teacher,
 * generated pairs and their curation, the representative subset, and its training runs with live progress.
 * Refreshed by the back end's pairs/training events; live training progress is merged into the run in place so
 * the chart updates without refetching the whole history.
 */
import type { Job, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import type { PairRecord, SubsetSelection } from '../../../../electron/domain/pair-types';
import type { TeacherInfo } from '../../../../electron/domain/teacher-types';
import type { TrainingAdvanced, TrainingPlan, TrainingPreset, TrainingProgress, TrainingRun } from '../../../../electron/domain/training-types';
import { parseRankSearchProgress, type RankSearchProgress } from '../../../../electron/domain/rank-search-progress';
import { coalesce } from '../coalesce';
import { FollowedJob, type JobView } from './job-watcher.svelte';
import { WithStatusLine } from './resource.svelte';

/** A running pair generation: its photos, when it was queued, and the photos cancelled one by one. */
export interface GenerationView extends JobView {
  imageIds: readonly number[];
  createdAt: string;
  cancelledImageIds: readonly number[];
}

/** A photo of the running (or last) pair generation that has no pair from it: waiting, or cancelled. */
export interface PhotoSlot {
  imageId: number;
  name: string;
  sha256: string;
  cancelled: boolean;
}

/** Grid slots for the running generation's waiting and cancelled photos, or the last one's cancelled photos. */
export function photoSlots(
  generation: GenerationView | null,
  lastCancelledImageIds: readonly number[],
  pairs: readonly PairRecord[],
  images: readonly { id: number; originalName: string; sha256: string }[],
): PhotoSlot[] {
  const byId = new Map(images.map((image) => [image.id, image]));
  const cancelled = generation ? generation.cancelledImageIds : lastCancelledImageIds;
  const waiting = waitingImageIds(generation, pairs);
  const slot = (imageId: number, isCancelled: boolean): PhotoSlot[] => {
    const image = byId.get(imageId);
    return image ? [{ imageId, name: image.originalName, sha256: image.sha256, cancelled: isCancelled }] : [];
  };
  return [...waiting.flatMap((id) => slot(id, false)), ...cancelled.flatMap((id) => slot(id, true))];
}

/**
 * The photos of a running generation still waiting for their pair: not cancelled, and without a pair written
 * since the job was queued (an older pair of the same photo is being replaced, or was kept and is shown).
 */
export function waitingImageIds(generation: GenerationView | null, pairs: readonly PairRecord[]): number[] {
  if (!generation) return [];
  const cancelled = new Set(generation.cancelledImageIds);
  const made = new Set(pairs.filter((pair) => pair.updatedAt >= generation.createdAt).map((pair) => pair.imageId));
  return generation.imageIds.filter((imageId) => !cancelled.has(imageId) && !made.has(imageId));
}

/** Seeds for "regenerate": anything in the contract's range that differs from the pair's current seed. */
export function nextSeed(current: number, random: () => number = Math.random): number {
  const range = 2 ** 31 - 1;
  let seed = Math.floor(random() * range);
  if (seed === current) seed = (seed + 1) % range;
  return seed;
}

/** Applies one progress event to a run; loss points arrive in step order, a repeated step replaces the last. */
export function mergeProgress(run: TrainingRun, progress: TrainingProgress): TrainingRun {
  const history = run.lossHistory.filter((point) => point.step < progress.step);
  if (Object.keys(progress.losses).length > 0) history.push({ step: progress.step, losses: progress.losses });
  const previews =
    progress.previewSha256s.length > 0 && !run.previews.some((preview) => sameShas(preview.sha256s, progress.previewSha256s))
      ? [...run.previews, { step: progress.step, sha256s: progress.previewSha256s, heldOutPsnr: null }]
      : run.previews;
  return {
    ...run,
    state: run.state === 'queued' ? 'running' : run.state,
    step: progress.step,
    totalSteps: progress.totalSteps,
    lossHistory: history,
    previews,
    itPerSec: progress.itPerSec,
    etaSeconds: progress.etaSeconds,
  };
}

function sameShas(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((sha, index) => sha === b[index]);
}

export class ConceptWorkspaceState extends WithStatusLine {
  readonly projectId: number;
  readonly conceptId: number;
  subset: SubsetSelection | null = $state.raw(null);
  /** Photos cancelled one by one in the last finished generation (its result.cancelled). */
  lastCancelledImageIds: readonly number[] = $state.raw([]);
  selectedRunId: number | null = $state(null);
  /** What a new run would do with each preset (the chosen one with its advanced settings), from training.plan. */
  presetPlans: Partial<Record<TrainingPreset, TrainingPlan>> = $state.raw({});
  chosenPreset: TrainingPreset = $state('fast');
  /** The newest progress message of each training run's job (e.g. the rank search's trials before step 0). */
  runMessages: ReadonlyMap<number, string> = $state.raw(new Map());
  /** Per run, the rank search's trials so far (its steps before step 0), newest last; a new search starts over. */
  rankSearches: ReadonlyMap<number, readonly RankSearchProgress[]> = $state.raw(new Map());
  /** True once the first reload answered (the guide waits for it before choosing where to start). */
  loaded = $state(false);

  private readonly teacherList = this.status.resource<TeacherInfo[]>([]);
  private readonly pairList = this.status.resource<PairRecord[]>([]);
  private readonly runList = this.status.resource<TrainingRun[]>([]);

  get teachers(): TeacherInfo[] {
    return this.teacherList.value;
  }
  get pairs(): PairRecord[] {
    return this.pairList.value;
  }
  get runs(): TrainingRun[] {
    return this.runList.value;
  }
  /** True while an action runs. */
  get busy(): boolean {
    return this.status.busy;
  }
  /** The running pair generation of this concept, or null. */
  get generation(): GenerationView | null {
    return this.generations.view;
  }
  set generation(view: GenerationView | null) {
    this.generations.view = view;
  }

  readonly selectedRun: TrainingRun | null = $derived(this.runs.find((run) => run.id === this.selectedRunId) ?? this.runs[0] ?? null);
  readonly plan: TrainingPlan | null = $derived(this.presetPlans[this.chosenPreset] ?? null);
  /** Train / held-out role of each pair in the planned run (pairs it leaves out have none). */
  readonly pairRoles: ReadonlyMap<number, 'train' | 'held-out'> = $derived(
    new Map([
      ...(this.plan?.trainPairIds ?? []).map((id): [number, 'train'] => [id, 'train']),
      ...(this.plan?.heldOutPairIds ?? []).map((id): [number, 'held-out'] => [id, 'held-out']),
    ]),
  );
  readonly counts = $derived({
    pending: this.pairs.filter((pair) => pair.status === 'pending').length,
    accepted: this.pairs.filter((pair) => pair.status === 'accepted').length,
    rejected: this.pairs.filter((pair) => pair.status === 'rejected' || pair.status === 'guard-rejected').length,
    kept: this.pairs.filter((pair) => pair.inSubset === true).length,
  });

  private readonly api: StudioApi;
  private readonly loadPairs: () => Promise<void>;
  private readonly loadRuns: () => Promise<void>;
  private readonly generations: FollowedJob<'generate-pairs', GenerationView>;
  private subscriptions: Unsubscribe[] = [];

  constructor(api: StudioApi, projectId: number, conceptId: number) {
    super();
    this.api = api;
    this.projectId = projectId;
    this.conceptId = conceptId;
    // Pair generation emits one change per finished image; never stack up overlapping list requests.
    this.loadPairs = coalesce(() => this.pairList.load(() => this.api.pairs.list({ conceptId })));
    this.loadRuns = coalesce(() => this.runList.load(() => this.api.training.list({ projectId, conceptId })));
    this.generations = new FollowedJob(api, {
      kind: 'generate-pairs',
      projectId,
      owns: (job) => job.payload.conceptId === conceptId,
      onEnd: (job) => this.endGeneration(job),
    });
  }

  start(): Unsubscribe {
    this.stop();
    const events = this.api.events;
    this.subscriptions.push(
      events.onPairsChanged((e) => e.conceptId === this.conceptId && void this.loadPairs()),
      events.onTrainingChanged((e) => e.conceptId === this.conceptId && void this.loadRuns()),
      // A model installed or removed in the model manager joins or leaves the teacher list.
      events.onModelsChanged(() => void this.fetchTeachers()),
      events.onTrainingProgress((progress) => this.applyProgress(progress)),
      events.onJobProgress((progress) => {
        const run = this.runs.find((candidate) => candidate.jobId === progress.jobId);
        if (run && progress.message) this.runMessages = new Map(this.runMessages).set(run.id, progress.message);
        const search = run ? parseRankSearchProgress(progress.message) : null;
        if (run && search) {
          this.rankSearches = new Map(this.rankSearches).set(run.id, appendRankSearchTrial(this.rankSearches.get(run.id), search));
        }
      }),
      events.onPairItemCancelled((cancelled) => {
        if (this.generation?.jobId === cancelled.jobId) this.generation = { ...this.generation, cancelledImageIds: cancelled.skippedImageIds };
      }),
      this.generations.start(),
    );
    void this.reload();
    return () => this.stop();
  }

  stop(): void {
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
  }

  async reload(): Promise<void> {
    await Promise.all([this.fetchTeachers(), this.loadPairs(), this.loadRuns(), this.findRunningGeneration()]);
    this.loaded = true;
  }

  async setTeacher(teacherId: string): Promise<void> {
    await this.status.act(() => this.api.concepts.update({ conceptId: this.conceptId, teacher: teacherId }));
  }

  async generate(
    imageIds: number[],
    options: { seed?: number; diffusion?: { guidance?: number; imageGuidance?: number; steps?: number; negativePrompt?: string } } = {},
  ): Promise<void> {
    if (imageIds.length === 0) {
      this.error = 'Import some photos first: pairs are made from the project’s photos.';
      return;
    }
    const job = await this.status.act(() => this.api.pairs.generate({ conceptId: this.conceptId, imageIds, ...options }));
    if (!job) return;
    this.lastCancelledImageIds = [];
    this.generations.follow(job, generationView(job, 'Queued'));
  }

  /** Skips one photo of the running generation; the others carry on. */
  async cancelItem(imageId: number): Promise<void> {
    const generation = this.generation;
    if (!generation) return;
    const cancelled = await this.status.act(() => this.api.pairs.cancelItem({ jobId: generation.jobId, imageId }));
    if (cancelled && this.generation?.jobId === cancelled.jobId) this.generation = { ...this.generation, cancelledImageIds: cancelled.skippedImageIds };
  }

  async cancelGeneration(): Promise<void> {
    const generation = this.generation;
    if (generation) await this.status.act(() => this.api.jobs.cancel({ jobId: generation.jobId }));
  }

  async setStatus(pairId: number, status: 'accepted' | 'rejected' | 'pending'): Promise<void> {
    const updated = await this.status.act(() => this.api.pairs.setStatus({ pairId, status }));
    if (updated) this.pairList.set(this.pairs.map((pair) => (pair.id === updated.id ? updated : pair)));
  }

  /** Decides every pair still to review at once (accept all / reject all). */
  async setStatusAll(status: 'accepted' | 'rejected'): Promise<void> {
    const changed = await this.status.act(() => this.api.pairs.setStatusAll({ conceptId: this.conceptId, status }));
    if (changed) {
      const byId = new Map(changed.map((pair) => [pair.id, pair]));
      this.pairList.set(this.pairs.map((pair) => byId.get(pair.id) ?? pair));
    }
  }

  /** Re-plans every preset (the chosen one with its advanced overrides) after pairs, runs or settings change. */
  async refreshPlans(advanced?: TrainingAdvanced): Promise<void> {
    const chosen = this.chosenPreset;
    const entries = await this.status.attempt(() =>
      Promise.all(
        (['fast', 'balanced', 'quality'] as const).map(async (preset) => {
          const overrides = preset === chosen ? advanced : undefined;
          return [preset, await this.api.training.plan({ conceptId: this.conceptId, preset, ...(overrides ? { advanced: overrides } : {}) })] as const;
        }),
      ),
    );
    if (entries) this.presetPlans = Object.fromEntries(entries);
  }

  async regenerate(pair: PairRecord): Promise<void> {
    await this.status.act(() => this.api.pairs.regenerate({ pairId: pair.id, seed: nextSeed(pair.seed) }));
  }

  async selectSubset(targetCount: number): Promise<void> {
    const selection = await this.status.act(() => this.api.subset.select({ conceptId: this.conceptId, targetCount }));
    if (selection) {
      this.subset = selection;
      await this.loadPairs();
    }
  }

  async startTraining(preset: TrainingPreset, advanced?: TrainingAdvanced): Promise<void> {
    const run = await this.status.act(() => this.api.training.start({ conceptId: this.conceptId, preset, ...(advanced ? { advanced } : {}) }));
    if (run) {
      this.upsertRun(run);
      this.selectedRunId = run.id;
    }
  }

  async control(action: 'pause' | 'resume' | 'cancel', runId: number): Promise<void> {
    const run = await this.status.act(() => this.api.training[action]({ runId }));
    if (run) this.upsertRun(run);
  }

  async extend(runId: number, steps: number): Promise<void> {
    const run = await this.status.act(() => this.api.training.extend({ runId, steps }));
    if (run) this.upsertRun(run);
  }

  /** The run's newest checkpoint as phone-format ONNX bytes, fetched from the blob route. */
  async fetchLiveModel(runId: number): Promise<{ sha256: string; bytes: ArrayBuffer }> {
    const model = await this.api.liveModel.get({ runId });
    const response = await fetch(this.api.blobUrl(model.sha256));
    if (!response.ok) throw new Error(`live model blob ${model.sha256.slice(0, 12)}: HTTP ${response.status}`);
    return { sha256: model.sha256, bytes: await response.arrayBuffer() };
  }

  blobUrl(sha256: string): string {
    return this.api.blobUrl(sha256);
  }

  private applyProgress(progress: TrainingProgress): void {
    if (progress.conceptId !== this.conceptId) return;
    const run = this.runs.find((candidate) => candidate.id === progress.runId);
    if (!run) {
      void this.loadRuns();
      return;
    }
    this.upsertRun(mergeProgress(run, progress));
  }

  private endGeneration(job: Job<'generate-pairs'>): void {
    this.lastCancelledImageIds = job.result?.cancelled ?? [];
    if (job.state === 'failed') this.error = `Pair generation failed: ${job.error ?? 'unknown error'}`;
    void this.loadPairs();
  }

  private upsertRun(run: TrainingRun): void {
    const exists = this.runs.some((candidate) => candidate.id === run.id);
    this.runList.set(exists ? this.runs.map((candidate) => (candidate.id === run.id ? run : candidate)) : [run, ...this.runs]);
  }

  private fetchTeachers(): Promise<boolean> {
    return this.teacherList.load(() => this.api.teachers.list());
  }

  /** After a reload, show the progress of a pair-generation job that is still running for this concept. */
  private async findRunningGeneration(): Promise<void> {
    await this.status.attempt(() => this.generations.resume((job) => generationView(job, job.message ?? null)));
  }
}

function generationView(job: Job<'generate-pairs'>, message: string | null): GenerationView {
  return {
    jobId: job.id,
    progress: job.progress,
    message,
    imageIds: job.payload.imageIds,
    createdAt: job.createdAt,
    cancelledImageIds: job.payload.skippedImageIds ?? [],
  };
}

/**
 * A run's rank search trials with one more report: 'starting' (done 0) begins a new search (a resumed run searches
 * again); a repeated or older count replaces what came after it, so the list never shows a trial twice.
 */
export function appendRankSearchTrial(trials: readonly RankSearchProgress[] | undefined, next: RankSearchProgress): RankSearchProgress[] {
  const earlier = next.done === 0 ? [] : (trials ?? []).filter((trial) => trial.done < next.done);
  return [...earlier, next];
}
