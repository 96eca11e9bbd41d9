import path from 'node:path';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import type { TrainingAdvanced, TrainingPlan, TrainingPreset, TrainingRun, TrainingState } from '../domain/training-types';
import { isTrainingPair, planTrainingPairs } from '../domain/training-pairs';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { Job, ServiceEvents } from '../domain/types';
import { engineOfRun } from '../jobs/run-engine';
import type { TrainingRunsRepository } from '../store/repositories/training-runs';
import type { Store } from '../store/store';
import type { JobsService } from './jobs-service';
import { requireConcept, requireRun } from './records';
import { estimateTrainingTime } from './training-estimate';
import { resolveTrainingSettings } from './training-presets';

export interface TrainingService {
  start(input: { conceptId: number; preset: TrainingPreset; advanced?: TrainingAdvanced }): TrainingRun;
  /** What start would do now: settings, the exact train / held-out split, and a time estimate. Changes nothing. */
  plan(input: { conceptId: number; preset: TrainingPreset; advanced?: TrainingAdvanced }): TrainingPlan;
  pause(input: { runId: number }): TrainingRun;
  resume(input: { runId: number }): TrainingRun;
  cancel(input: { runId: number }): TrainingRun;
  extend(input: { runId: number; steps: number }): Promise<TrainingRun>;
  list(filter: { projectId: number; conceptId?: number }): TrainingRun[];
  get(input: { runId: number }): TrainingRun;
}

export interface TrainingServiceDeps {
  store: Store;
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
}

const PROGRESS_INTERVAL_MS = 100;
/** Runs that a job is (or will be) executing: the state follows that job's. */
const ACTIVE_RUN_STATES: readonly TrainingState[] = ['queued', 'running'];

export function runsDir(dataDir: string): string {
  return path.join(dataDir, 'runs');
}

export function createTrainingService({ store, jobs, events }: TrainingServiceDeps): TrainingService {
  const { pairs, trainingRuns: runs } = store;
  /** Per run, how many checkpoints + previews were last announced (so trainingChanged fires when one lands). */
  const announced = new Map<number, number>();
  const lastProgressAt = new Map<number, number>();
  const announceRun = (run: TrainingRun) => events.emit('trainingChanged', { projectId: run.projectId, conceptId: run.conceptId, runId: run.id });

  // Run states follow their job's; the store row is the one source of truth for renderers and the CLI.
  events.on('jobChanged', ({ job }) => {
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
    if (job?.kind !== 'train-run' || projectId === null) return;
    // Tiny models report hundreds of steps a second; renderers need a few updates a second, and the last.
    const now = Date.now();
    const last = lastProgressAt.get(job.payload.runId) ?? 0;
    if (now - last < PROGRESS_INTERVAL_MS && fraction < 1) return;
    lastProgressAt.set(job.payload.runId, now);
    const progress = runs.progressOf(job.payload.runId);
    if (!progress) return;
    const { run } = progress;
    events.emit('trainingProgress', {
      runId: run.id,
      projectId: run.projectId,
      conceptId: run.conceptId,
      step: run.step,
      totalSteps: run.totalSteps,
      losses: progress.losses,
      itPerSec: run.itPerSec,
      etaSeconds: run.etaSeconds,
      previewSha256s: progress.previewSha256s,
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
    const queued = requireRun(store, run.id);
    announceRun(queued);
    return queued;
  };

  return {
    start({ conceptId, preset, advanced }) {
      const concept = requireConcept(store, conceptId);
      const usable = pairs.listByConcept(conceptId).filter(isTrainingPair);
      if (usable.length === 0) {
        throw new InvalidInputError(`concept ${conceptId} ('${concept.name}') has no pending or accepted pairs (in the subset) to train on`);
      }
      const settings = resolveTrainingSettings(preset, advanced);
      const created = runs.create({ projectId: concept.projectId, conceptId, settings, runPath: '', totalSteps: settings.steps });
      runs.setRunPath(created.id, path.join(runsDir(store.layout.root), `run-${created.id}`));
      return enqueueRun(requireRun(store, created.id));
    },
    plan({ conceptId, preset, advanced }) {
      requireConcept(store, conceptId);
      const settings = resolveTrainingSettings(preset, advanced);
      const split = planTrainingPairs(pairs.listByConcept(conceptId));
      return { conceptId, settings, ...split, estimate: estimateTrainingTime(settings, runs.recentSpeeds()) };
    },
    pause({ runId }) {
      const run = requireRun(store, runId);
      if (!ACTIVE_RUN_STATES.includes(run.state) || run.jobId === null) {
        throw new ConflictError(`training run ${runId} is ${run.state}; only a queued or running run can be paused`);
      }
      runs.setPauseRequested(runId, true);
      jobs.cancel({ jobId: run.jobId });
      return requireRun(store, runId);
    },
    resume({ runId }) {
      const run = requireRun(store, runId);
      if (!['paused', 'interrupted', 'failed'].includes(run.state)) {
        throw new ConflictError(`training run ${runId} is ${run.state}; only a paused, interrupted or failed run can be resumed`);
      }
      discardInterruptedJob(run);
      return enqueueRun(run);
    },
    cancel({ runId }) {
      const run = requireRun(store, runId);
      if (ACTIVE_RUN_STATES.includes(run.state) && run.jobId !== null) {
        runs.setPauseRequested(runId, false);
        jobs.cancel({ jobId: run.jobId });
        return requireRun(store, runId);
      }
      if (run.state === 'paused' || run.state === 'interrupted' || run.state === 'failed') {
        discardInterruptedJob(run);
        runs.setState(runId, 'cancelled');
        announceRun(run);
        return requireRun(store, runId);
      }
      throw new ConflictError(`training run ${runId} is already ${run.state}`);
    },
    async extend({ runId, steps }) {
      const run = requireRun(store, runId);
      if (ACTIVE_RUN_STATES.includes(run.state)) throw new ConflictError(`training run ${runId} is ${run.state}; pause it before extending`);
      if (run.state === 'cancelled') throw new ConflictError(`training run ${runId} was cancelled; start a new run`);
      // The row is the run's one record: its total steps are what the job trains to.
      if (!(await engineOfRun(store, run))) throw new ConflictError(`training run ${runId} has not started training yet (its settings are not resolved)`);
      runs.setTotalSteps(runId, run.totalSteps + steps);
      discardInterruptedJob(run);
      return enqueueRun(requireRun(store, runId));
    },
    list(filter) {
      if (!store.projects.get(filter.projectId)) throw new NotFoundError('project', filter.projectId);
      return runs.list(filter);
    },
    get: ({ runId }) => requireRun(store, runId),
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
