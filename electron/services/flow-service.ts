import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listInstalledModels } from '../../native-models/diffusion/models/model-store';
import { decodeImage, encodeImage, imageFeatures } from '../../native-models/image/index';
import { listTeachers, findTeacher } from '../../native-models/teachers/index';
import type { Store } from '../store/store';
import type { TrainingRunsRepository } from '../store/repositories/training-runs';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import type {
  ImportPairsResult, LiveModel, PairItemCancelled, PairRecord, PairStatus, PairTeacher, SubsetSelection, TeacherInfo, TrainingAdvanced,
  TeacherSample, TrainingPlan, TrainingPreset, TrainingRun, TrainingState,
} from '../domain/flow-types';
import { importPairedFiles } from './import-pairs';
import { PHONE_INPUT, PHONE_OUTPUT } from '../../native-models/export/phone-graph';
import { buildLiveModel } from '../jobs/live-model';
import type { JobsService } from './jobs-service';
import { selectRepresentatives } from './subset-selection';
import { estimateTrainingTime } from './training-estimate';
import { isTrainingPair, planTrainingPairs } from '../domain/training-pairs';
import { resolveTrainingSettings } from './training-presets';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ImportFile, Job, ServiceEvents } from '../domain/types';

export interface FlowService {
  teachers: {
    list(): Promise<TeacherInfo[]>;
    /** Every built-in effect applied to one project photo (small, for a gallery), as PNG blobs. */
    gallery(input: { imageId: number }): Promise<TeacherSample[]>;
  };
  pairs: {
    /**
     * Queues pair generation with the concept's teacher for the given photos of its project. Photos that already
     * have a pair from the same teacher settings are skipped (their curation stays); use regenerate to remake one.
     */
    generate(input: { conceptId: number; imageIds: number[]; seed?: number; diffusion?: DiffusionOverrides }): Job<'generate-pairs'>;
    list(input: { conceptId: number }): PairRecord[];
    get(input: { pairId: number }): PairRecord;
    setStatus(input: { pairId: number; status: 'pending' | 'accepted' | 'rejected' }): PairRecord;
    /** Sets every pair of a concept now in one of `from` (default: pending) to `status`; returns the pairs changed. */
    setStatusAll(input: { conceptId: number; status: 'accepted' | 'rejected' | 'pending'; from?: PairStatus[] }): PairRecord[];
    regenerate(input: { pairId: number; seed?: number; guidance?: number }): Job<'generate-pairs'>;
    /**
     * Cancels one photo of a queued or running generate-pairs job; the job skips it when it gets there and goes
     * on with the others (result.cancelled lists it). Refused once the job stopped or the photo's pair is made.
     */
    cancelItem(input: { jobId: number; imageId: number }): PairItemCancelled;
    importPaired(input: { conceptId: number; sources: ImportFile[] }): Promise<ImportPairsResult>;
  };
  subset: {
    select(input: { conceptId: number; targetCount: number }): Promise<SubsetSelection>;
  };
  training: {
    start(input: { conceptId: number; preset: TrainingPreset; advanced?: TrainingAdvanced }): TrainingRun;
    /** What start would do now: settings, the exact train / held-out split, and a time estimate. Changes nothing. */
    plan(input: { conceptId: number; preset: TrainingPreset; advanced?: TrainingAdvanced }): TrainingPlan;
    pause(input: { runId: number }): TrainingRun;
    resume(input: { runId: number }): TrainingRun;
    cancel(input: { runId: number }): TrainingRun;
    extend(input: { runId: number; steps: number }): Promise<TrainingRun>;
    list(filter: { projectId: number; conceptId?: number }): TrainingRun[];
    get(input: { runId: number }): TrainingRun;
  };
  liveModel: {
    get(input: { runId: number }): Promise<LiveModel>;
  };
}

export interface DiffusionOverrides {
  guidance?: number;
  imageGuidance?: number;
  steps?: number;
  size?: number;
  negativePrompt?: string;
}

export interface FlowServiceDeps {
  store: Store;
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
  /** Where installed diffusion models live (listed as teachers). */
  modelsDir: string;
}

const SUBSET_FEATURE_SIDE = 64;
/** Gallery tiles: big enough to tell the effects apart, small enough that all twenty take well under a second. */
const GALLERY_SIDE = 160;
const PROGRESS_INTERVAL_MS = 100;
/** concept.teacher value for a diffusion model: 'diffusion:<installed model name>'. */
export const DIFFUSION_PREFIX = 'diffusion:';
/** InstructPix2Pix's usual settings; 512 is the resolution these models were trained at. */
export const DIFFUSION_DEFAULTS = { guidance: 7.5, imageGuidance: 1.5, steps: 20, size: 512 } as const;
/** Runs that a job is (or will be) executing: the state follows that job's. */
const ACTIVE_RUN_STATES: readonly TrainingState[] = ['queued', 'running'];

export function runsDir(dataDir: string): string {
  return path.join(dataDir, 'runs');
}

export function createFlowService({ store, jobs, events, modelsDir }: FlowServiceDeps): FlowService {
  const { pairs, trainingRuns: runs } = store;
  /** Per run, how many checkpoints + previews were last announced (so trainingChanged fires when one lands). */
  const announced = new Map<number, number>();
  /** The newest live model handed out per run: rebuilding the graph is skipped while no new checkpoint landed. */
  const liveModels = new Map<number, LiveModel>();
  const lastProgressAt = new Map<number, number>();
  /** Gallery tiles per photo (by its content hash): a photo's effects never change. */
  const galleries = new Map<string, Promise<TeacherSample[]>>();

  const requireConcept = (id: number) => {
    const concept = store.concepts.get(id);
    if (!concept) throw new NotFoundError('concept', id);
    return concept;
  };
  const requirePair = (id: number) => {
    const pair = pairs.get(id);
    if (!pair) throw new NotFoundError('pair', id);
    return pair;
  };
  const requireRun = (id: number) => {
    const run = runs.get(id);
    if (!run) throw new NotFoundError('training run', id);
    return run;
  };
  const announceRun = (run: TrainingRun) =>
    events.emit('trainingChanged', { projectId: run.projectId, conceptId: run.conceptId, runId: run.id });

  const modelDirOf = (modelId: string): string => {
    const dir = path.join(modelsDir, modelId);
    if (modelId.includes('/') || modelId.includes('\\') || !existsSync(path.join(dir, 'model_index.json'))) {
      throw new InvalidInputError(`diffusion model '${modelId}' is not installed in ${modelsDir} (see teachers.list or e2gan models list)`);
    }
    return dir;
  };
  const teacherOf = (conceptId: number): PairTeacher => {
    const concept = requireConcept(conceptId);
    if (concept.teacher.startsWith(DIFFUSION_PREFIX)) {
      const modelId = concept.teacher.slice(DIFFUSION_PREFIX.length);
      modelDirOf(modelId);
      return { kind: 'diffusion', modelId, ...DIFFUSION_DEFAULTS };
    }
    if (concept.teacher === '') {
      throw new InvalidInputError(`concept ${conceptId} ('${concept.name}') has no teacher; choose one with concepts.update (e.g. teacher: 'sepia')`);
    }
    if (!findTeacher(concept.teacher)) {
      throw new InvalidInputError(
        `concept ${conceptId}: teacher '${concept.teacher}' is not a built-in teacher (known: ${listTeachers().map((t) => t.id).join(', ')}) ` +
          `nor '${DIFFUSION_PREFIX}<installed model>'`,
      );
    }
    return { kind: 'builtin', id: concept.teacher };
  };

  // Run states follow their job's; the store row is the one source of truth for renderers and the CLI.
  events.on('jobChanged', ({ job }) => {
    if (job.kind === 'generate-pairs' && job.state !== 'queued' && job.state !== 'running' && job.projectId !== null) {
      events.emit('pairsChanged', { projectId: job.projectId, conceptId: job.payload.conceptId });
    }
    if (job.kind !== 'train-run') return;
    const run = runs.get(job.payload.runId);
    if (!run || run.jobId !== job.id) return;
    const next = runStateForJob(job, runs.isPauseRequested(run.id));
    if (next.state !== 'queued' && next.state !== 'running') runs.setPauseRequested(run.id, false);
    runs.setState(run.id, next.state, next.error);
    announceRun(run);
  });
  events.on('jobProgress', ({ jobId, projectId, progress: fraction }) => {
    const job = store.jobs.get(jobId);
    if (!job || projectId === null) return;
    if (job.kind === 'generate-pairs') {
      events.emit('pairsChanged', { projectId, conceptId: job.payload.conceptId });
      return;
    }
    if (job.kind !== 'train-run') return;
    // Tiny models report hundreds of steps a second; renderers need a few updates a second, and the last.
    const now = Date.now();
    const last = lastProgressAt.get(job.payload.runId) ?? 0;
    if (now - last < PROGRESS_INTERVAL_MS && fraction < 1) return;
    lastProgressAt.set(job.payload.runId, now);
    const progress = runs.progressOf(job.payload.runId);
    if (!progress) return;
    const { run } = progress;
    events.emit('trainingProgress', {
      runId: run.id, projectId: run.projectId, conceptId: run.conceptId, step: run.step, totalSteps: run.totalSteps,
      losses: progress.losses, itPerSec: run.itPerSec, etaSeconds: run.etaSeconds, previewSha256s: progress.previewSha256s,
    });
    if (announced.get(run.id) !== progress.produced) {
      announced.set(run.id, progress.produced);
      events.emit('trainingChanged', { projectId: run.projectId, conceptId: run.conceptId, runId: run.id });
    }
  });
  reconcileRuns(store, runs);

  /** The run continues in a new job; its interrupted one would otherwise linger as resumable in the jobs list. */
  const discardInterruptedJob = (run: TrainingRun) => {
    if (run.jobId !== null && store.jobs.get(run.jobId)?.state === 'interrupted') jobs.discard({ jobId: run.jobId });
  };
  const enqueueRun = (run: TrainingRun): TrainingRun => {
    runs.setPauseRequested(run.id, false);
    const job = jobs.enqueue('train-run', run.projectId, { runId: run.id });
    runs.setJob(run.id, job.id);
    runs.setState(run.id, 'queued');
    const queued = requireRun(run.id);
    announceRun(queued);
    return queued;
  };

  return {
    teachers: {
      async list() {
        const builtins: TeacherInfo[] = listTeachers().map((t) => ({ kind: 'builtin', id: t.id, name: t.name, description: t.description }));
        const models = (await listInstalledModels(modelsDir)).filter((m) => m.problem === undefined);
        return [
          ...builtins,
          ...models.map((m): TeacherInfo => ({ kind: 'diffusion', id: `${DIFFUSION_PREFIX}${m.name}`, name: m.name, description: m.pipelineClass ?? 'diffusion model' })),
        ];
      },
      gallery({ imageId }) {
        const image = store.images.get(imageId);
        if (!image) throw new NotFoundError('image', imageId);
        const cached = galleries.get(image.sha256);
        if (cached) return cached;
        const made = (async () => {
          const input = await decodeImage(await store.blobs.read(image.sha256), image.originalName, { maxSide: GALLERY_SIDE });
          const samples: TeacherSample[] = [];
          for (const teacher of listTeachers()) {
            samples.push({ teacherId: teacher.id, sha256: await store.blobs.put(await encodeImage(teacher.apply(input), 'png')) });
          }
          return samples;
        })();
        galleries.set(image.sha256, made);
        // A failure is reported, not cached: the next request tries again.
        made.catch(() => galleries.delete(image.sha256));
        return made;
      },
    },
    pairs: {
      generate({ conceptId, imageIds, seed, diffusion }) {
        const concept = requireConcept(conceptId);
        const chosen = teacherOf(conceptId);
        // An empty negative prompt is the same as none: not stored, so "same teacher settings" still matches.
        const { negativePrompt, ...knobs } = diffusion ?? {};
        const teacher: PairTeacher =
          chosen.kind === 'diffusion' ? { ...chosen, ...knobs, ...(negativePrompt ? { negativePrompt } : {}) } : chosen;
        const unique = [...new Set(imageIds)];
        if (unique.length === 0) throw new InvalidInputError('imageIds: expected at least one image id');
        for (const imageId of unique) {
          const image = store.images.get(imageId);
          if (!image || image.projectId !== concept.projectId) throw new NotFoundError(`image in project ${concept.projectId}:`, imageId);
        }
        return jobs.enqueue('generate-pairs', concept.projectId, {
          projectId: concept.projectId, conceptId, imageIds: unique, seed: seed ?? 0, teacher, prompt: concept.prompt,
          ...(teacher.kind === 'diffusion' ? { modelDir: modelDirOf(teacher.modelId) } : {}),
        });
      },
      list({ conceptId }) {
        requireConcept(conceptId);
        return pairs.listByConcept(conceptId);
      },
      get: ({ pairId }) => requirePair(pairId),
      setStatus({ pairId, status }) {
        const pair = requirePair(pairId);
        // The guard's reason stays visible when the user overrides it, until the pair is regenerated.
        pairs.setStatus(pairId, status, status === 'rejected' ? 'rejected by you' : pair.status === 'guard-rejected' ? pair.reason : null);
        events.emit('pairsChanged', { projectId: pair.projectId, conceptId: pair.conceptId });
        return requirePair(pairId);
      },
      setStatusAll({ conceptId, status, from = ['pending'] }) {
        const concept = requireConcept(conceptId);
        const changed = pairs.listByConcept(conceptId).filter((pair) => from.includes(pair.status) && pair.status !== status);
        store.db.transaction(() => {
          for (const pair of changed) {
            pairs.setStatus(pair.id, status, status === 'rejected' ? 'rejected by you' : pair.status === 'guard-rejected' ? pair.reason : null);
          }
        })();
        if (changed.length > 0) events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
        return changed.map((pair) => requirePair(pair.id));
      },
      cancelItem({ jobId, imageId }) {
        const job = store.jobs.get(jobId);
        if (!job) throw new NotFoundError('job', jobId);
        if (job.kind !== 'generate-pairs') throw new InvalidInputError(`job ${jobId} is a '${job.kind}' job; only pair generation cancels photos one by one`);
        if (job.state !== 'queued' && job.state !== 'running') {
          throw new ConflictError(`job ${jobId} is ${job.state}; a photo can only be cancelled while its pair generation is queued or running`);
        }
        const { payload } = job as Job<'generate-pairs'>;
        if (!payload.imageIds.includes(imageId)) throw new InvalidInputError(`image ${imageId} is not one of the photos of job ${jobId}`);
        const made = pairs.findByImage(payload.conceptId, imageId);
        if (made && made.updatedAt >= job.createdAt && made.seed === payload.seed + payload.imageIds.indexOf(imageId)) {
          throw new ConflictError(`image ${imageId} already has its pair (${made.id}) from job ${jobId}; reject the pair instead`);
        }
        const skippedImageIds = store.jobs.addSkippedPairItem(jobId, imageId);
        const cancelled: PairItemCancelled = { projectId: payload.projectId, conceptId: payload.conceptId, jobId, imageId, skippedImageIds };
        events.emit('pairItemCancelled', cancelled);
        return cancelled;
      },
      regenerate({ pairId, seed, guidance }) {
        const pair = requirePair(pairId);
        if (pair.imageId === null) throw new InvalidInputError(`pair ${pairId} was imported; only generated pairs can be regenerated`);
        if (guidance !== undefined && pair.teacher.kind === 'builtin') {
          throw new InvalidInputError(`pair ${pairId}: guidance applies to diffusion teachers; '${pair.teacher.id}' is a built-in effect`);
        }
        // Same teacher as the pair had (a diffusion pair keeps its model and settings), one knob changed.
        const teacher: PairTeacher =
          pair.teacher.kind === 'diffusion' ? { ...pair.teacher, guidance: guidance ?? pair.teacher.guidance } : teacherOf(pair.conceptId);
        return jobs.enqueue('generate-pairs', pair.projectId, {
          projectId: pair.projectId, conceptId: pair.conceptId, imageIds: [pair.imageId], seed: seed ?? pair.seed + 1, teacher,
          prompt: requireConcept(pair.conceptId).prompt, replace: true,
          ...(teacher.kind === 'diffusion' ? { modelDir: modelDirOf(teacher.modelId) } : {}),
        });
      },
      async importPaired({ conceptId, sources }) {
        const concept = requireConcept(conceptId);
        const result = await importPairedFiles(store, pairs, { projectId: concept.projectId, conceptId }, sources);
        events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
        return result;
      },
    },
    subset: {
      async select({ conceptId, targetCount }) {
        const concept = requireConcept(conceptId);
        const candidates = pairs.listByConcept(conceptId).filter((p) => p.status === 'pending' || p.status === 'accepted');
        if (candidates.length === 0) throw new InvalidInputError(`concept ${conceptId} has no pending or accepted pairs to choose from`);
        const features: Float32Array[] = [];
        for (const pair of candidates) {
          const image = await decodeImage(await store.blobs.read(pair.inputSha256), `pair ${pair.id} input`, { maxSide: SUBSET_FEATURE_SIDE });
          features.push(imageFeatures(image));
        }
        const keptIndices = selectRepresentatives(features, targetCount, conceptId);
        const keptPairIds = keptIndices.map((i) => candidates[i]!.id);
        pairs.setSubset(conceptId, keptPairIds);
        events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
        const kept = new Set(keptPairIds);
        return {
          conceptId, targetCount, keptPairIds, droppedPairIds: candidates.filter((p) => !kept.has(p.id)).map((p) => p.id),
          features: 'colour-gradient-histogram',
        };
      },
    },
    training: {
      start({ conceptId, preset, advanced }) {
        const concept = requireConcept(conceptId);
        const usable = pairs.listByConcept(conceptId).filter(isTrainingPair);
        if (usable.length === 0) {
          throw new InvalidInputError(`concept ${conceptId} ('${concept.name}') has no pending or accepted pairs (in the subset) to train on`);
        }
        const settings = resolveTrainingSettings(preset, advanced);
        const created = runs.create({ projectId: concept.projectId, conceptId, settings, runPath: '', totalSteps: settings.steps });
        runs.setRunPath(created.id, path.join(runsDir(store.layout.root), `run-${created.id}`));
        return enqueueRun(requireRun(created.id));
      },
      plan({ conceptId, preset, advanced }) {
        requireConcept(conceptId);
        const settings = resolveTrainingSettings(preset, advanced);
        const split = planTrainingPairs(pairs.listByConcept(conceptId));
        return { conceptId, settings, ...split, estimate: estimateTrainingTime(settings, runs.recentSpeeds()) };
      },
      pause({ runId }) {
        const run = requireRun(runId);
        if (!ACTIVE_RUN_STATES.includes(run.state) || run.jobId === null) {
          throw new ConflictError(`training run ${runId} is ${run.state}; only a queued or running run can be paused`);
        }
        runs.setPauseRequested(runId, true);
        jobs.cancel({ jobId: run.jobId });
        return requireRun(runId);
      },
      resume({ runId }) {
        const run = requireRun(runId);
        if (!['paused', 'interrupted', 'failed'].includes(run.state)) {
          throw new ConflictError(`training run ${runId} is ${run.state}; only a paused, interrupted or failed run can be resumed`);
        }
        discardInterruptedJob(run);
        return enqueueRun(run);
      },
      cancel({ runId }) {
        const run = requireRun(runId);
        if (ACTIVE_RUN_STATES.includes(run.state) && run.jobId !== null) {
          runs.setPauseRequested(runId, false);
          jobs.cancel({ jobId: run.jobId });
          return requireRun(runId);
        }
        if (run.state === 'paused' || run.state === 'interrupted' || run.state === 'failed') {
          discardInterruptedJob(run);
          runs.setState(runId, 'cancelled');
          announceRun(run);
          return requireRun(runId);
        }
        throw new ConflictError(`training run ${runId} is already ${run.state}`);
      },
      async extend({ runId, steps }) {
        const run = requireRun(runId);
        if (ACTIVE_RUN_STATES.includes(run.state)) throw new ConflictError(`training run ${runId} is ${run.state}; pause it before extending`);
        if (run.state === 'cancelled') throw new ConflictError(`training run ${runId} was cancelled; start a new run`);
        const settingsFile = path.join(run.runPath, 'run.json');
        if (!existsSync(settingsFile)) throw new ConflictError(`training run ${runId} has not started training yet (${settingsFile} missing)`);
        const totalSteps = run.totalSteps + steps;
        await rewriteRunSteps(settingsFile, totalSteps);
        runs.setTotalSteps(runId, totalSteps);
        discardInterruptedJob(run);
        return enqueueRun(requireRun(runId));
      },
      list(filter) {
        if (!store.projects.get(filter.projectId)) throw new NotFoundError('project', filter.projectId);
        return runs.list(filter);
      },
      get: ({ runId }) => requireRun(runId),
    },
    liveModel: {
      async get({ runId }) {
        const run = requireRun(runId);
        const checkpoint = runs.latestCheckpoint(runId);
        if (!checkpoint) throw new ConflictError(`training run ${runId} has no checkpoint yet; the live model appears after the first one`);
        const io = { width: run.settings.size, height: run.settings.size, inputName: PHONE_INPUT, outputName: PHONE_OUTPUT };
        // Normally the training job built it at the checkpoint; older runs (or a failed build) are built here once.
        if (checkpoint.liveModelSha256) return { runId, step: checkpoint.step, sha256: checkpoint.liveModelSha256, ...io };
        const cached = liveModels.get(runId);
        if (cached && cached.step === checkpoint.step) return cached;
        const built = await buildLiveModel(run.runPath, checkpoint.step);
        const sha256 = await store.blobs.put(built.bytes);
        runs.setLiveModel(runId, built.step, sha256);
        const model: LiveModel = {
          runId, step: built.step, sha256, width: built.width, height: built.height, inputName: built.inputName, outputName: built.outputName,
        };
        liveModels.set(runId, model);
        return model;
      },
    },
  };
}

function runStateForJob(job: Job<'train-run'>, pauseRequested: boolean): { state: TrainingState; error: string | null } {
  switch (job.state) {
    case 'queued':
    case 'running':
      return { state: job.state, error: null };
    case 'done':
      return { state: job.result?.completed === false ? 'paused' : 'done', error: null };
    case 'cancelled':
      return { state: pauseRequested ? 'paused' : 'cancelled', error: null };
    case 'interrupted':
      return { state: 'interrupted', error: null };
    case 'failed':
      return { state: 'failed', error: job.error };
  }
}

/** After a crash or restart, runs whose job the runner marked interrupted (or that lost their job) follow it. */
function reconcileRuns(store: Store, runs: TrainingRunsRepository): void {
  for (const { id, jobId } of runs.listActive()) {
    const job = jobId === null ? undefined : store.jobs.get(jobId);
    if (!job) runs.setState(id, 'interrupted', 'its job was removed');
    else if (job.kind === 'train-run' && job.state !== 'queued' && job.state !== 'running') {
      const next = runStateForJob(job, runs.isPauseRequested(id));
      runs.setPauseRequested(id, false);
      runs.setState(id, next.state, next.error);
    }
  }
}

async function rewriteRunSteps(settingsFile: string, steps: number): Promise<void> {
  const settings = JSON.parse(await readFile(settingsFile, 'utf8')) as { steps: number };
  settings.steps = steps;
  const temporary = `${settingsFile}.tmp`;
  await writeFile(temporary, JSON.stringify(settings, null, 2));
  await rename(temporary, settingsFile);
}
