import { LORA_GROUPS } from '../../../native-models/e2gan/config';
import { searchRanksOnPairs } from '../../../native-models/e2gan/rank-search-run';
import { ComputeClient } from '../../../native-models/runtime';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';
import {
  DEFAULT_SETTINGS,
  prepareFineTune,
  runFineTune,
  writeTrainedGenerator,
  type FineTuneEvent,
  type FineTuneSettings,
  type NamedPair,
} from '../../../native-models/e2gan/trainer';
import { encodeImage } from '../../../native-models/image/index';
import type { QualityBaselines, TrainingRun, TrainRunResult } from '../../domain/training-types';
import type { TrainingRunEngine } from '../../domain/training-engine';
import { buildLiveModel, type LiveModelCache } from '../live-model';
import { formatRankSearchProgress, maxRankSearchTrials } from '../../domain/rank-search-progress';
import { heldOutCountFor, isTrainingPair } from '../../domain/training-pairs';
import type { TrainingRunsRepository } from '../../store/repositories/training-runs';
import type { Store } from '../../store/store';
import type { TrainingCheckpoints } from '../../store/training-checkpoints';
import type { JobHandler } from '../job-handlers';
import { engineOfRun, runSettingsOf } from '../run-engine';
import { loadRunPairs, pairIdOfName } from '../run-pairs';

/**
 * Trains (or continues) a studio run with the engine's in-memory entry point, fineTune: the pairs are decoded
 * from the blob store into memory, checkpoints go to the run's store-backed checkpoint files, preview images
 * go straight into the blob store, and the settings live on the run's row (no run.json, no folder of images).
 * The first execution resolves the settings and the pairs; every later one (resume, extend, a job re-run after
 * a crash) continues from the newest checkpoint with the recorded ones. Steps, checkpoints and previews are
 * recorded as they happen, so the app shows the same history after a restart.
 */
export const trainRunJob: JobHandler<'train-run'> = async ({ payload, store, signal, reportProgress }) => {
  const runs = store.trainingRuns;
  const run = runs.get(payload.runId);
  if (!run) throw new Error(`training run ${payload.runId} does not exist`);
  const checkpoints = store.checkpointsOf(run);
  const recorded = await engineOfRun(store, run);
  const resume = recorded !== undefined;
  let engine: TrainingRunEngine;
  let loaded: Awaited<ReturnType<typeof loadRunPairs>>;
  if (recorded) {
    const steps = await checkpoints.listCheckpoints();
    // Steps after the newest checkpoint are redone; their recorded losses would otherwise appear twice.
    runs.truncateAfter(run.id, steps.at(-1) ?? 0);
    engine = recorded;
    loaded = await loadRunPairs(store, engine.pairIds);
  } else {
    const fresh = newRunEngine(store, run);
    loaded = await loadRunPairs(store, fresh.pairIds);
    // A pair the trainer cannot use is left out of the record (and reported in the 'started' event).
    engine = { settings: fresh.settings, pairIds: loaded.pairIds };
    if (run.settings.rank === 'auto') {
      const searched = await searchRanksFor(loaded.pairs, runSettingsOf(run, engine), reportProgress, signal);
      // Cancelled (or paused) during the search: nothing of the run was recorded, so the next start (a resume)
      // searches again from scratch.
      if (!searched) return { runId: run.id, step: 0, completed: false } satisfies TrainRunResult;
      engine = { ...engine, settings: { ...engine.settings, ranks: searched.ranks } };
    }
  }
  const settings = runSettingsOf(run, engine);
  runs.setState(run.id, 'running');
  reportProgress(run.step / run.totalSteps, resume ? `resuming at step ${run.step}` : 'starting');
  const liveCache: LiveModelCache = {};
  let liveBuilds = Promise.resolve();
  let finalPreview: { step: number; sha256s: string[]; pairIds: (number | null)[] } | undefined;
  const onEvent = async (event: FineTuneEvent): Promise<void> => {
    if (event.type === 'started') {
      runs.setExecutionProvider(run.id, event.executionProvider);
      recordBaselines(runs, run.id, event.baselines);
    } else if (event.type === 'step') {
      runs.recordStep(run.id, {
        step: event.step,
        losses: event.losses,
        itPerSec: event.itPerSec,
        etaSeconds: Number.isFinite(event.etaSeconds) ? event.etaSeconds : 0,
      });
      reportProgress(event.step / event.totalSteps, `step ${event.step} of ${event.totalSteps}`);
    } else if (event.type === 'checkpoint') {
      // The checkpoint store has recorded it on the run once its file was whole.
      reportProgress(event.step / run.totalSteps, `checkpoint at step ${event.step}`);
      // Built here, in the job's worker, so the app's main thread never builds graphs for the live preview.
      liveBuilds = liveBuilds.then(() => storeLiveModel(store, checkpoints, run, settings, event.step, liveCache));
    } else if (event.type === 'preview') {
      // Encoded in memory and stored as blobs: no preview file is written.
      const sha256s: string[] = [];
      for (const preview of event.images) sha256s.push(await store.blobs.put(await encodeImage(preview.image, 'png')));
      const pairIds = event.images.map((preview) => pairIdOfName(preview.name));
      if (sha256s.length > 0) runs.recordPreview(run.id, event.step, sha256s, finiteOrNull(event.heldOutPsnr), pairIds);
      finalPreview = { step: event.step, sha256s, pairIds };
      recordBaselines(runs, run.id, event.baselines);
    } else if (event.type === 'done') {
      // The kept weights may be an earlier preview's (the best held-out score): the last grid carries their score.
      if (finalPreview && finalPreview.step === event.step && finalPreview.sha256s.length > 0) {
        runs.recordPreview(run.id, event.step, finalPreview.sha256s, finiteOrNull(event.heldOutPsnr), finalPreview.pairIds);
      }
      recordBaselines(runs, run.id, event.baselines);
    }
  };
  const prepared = await prepareFineTune({ pairs: loaded.pairs, settings, checkpoints, resume, problems: loaded.problems, signal, onEvent });
  // Recorded once the pairs and models have loaded: a run that cannot load leaves nothing to resume.
  if (!resume) runs.setEngine(run.id, engine);
  const result = await runFineTune(prepared);
  await liveBuilds;
  if (result.model) await writeTrainedGenerator(run.runPath, result.model);
  reportProgress(result.step / run.totalSteps, result.completed ? 'done' : `stopped at step ${result.step}`);
  return { runId: run.id, step: result.step, completed: result.completed } satisfies TrainRunResult;
};

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The run's reference PSNRs (the same for every event of a run); not finite when nothing could be scored. */
function recordBaselines(runs: TrainingRunsRepository, runId: number, baselines: QualityBaselines): void {
  if (Number.isFinite(baselines.identityPsnr) && Number.isFinite(baselines.affinePsnr)) {
    runs.setBaselines(runId, { identityPsnr: baselines.identityPsnr, affinePsnr: baselines.affinePsnr });
  }
}

/**
 * A checkpoint that training has already rotated away (only the newest two are kept on disk) is skipped: the
 * next one gets its live model, and the newest checkpoint of a run is never rotated away.
 */
async function storeLiveModel(
  store: Store,
  checkpoints: TrainingCheckpoints,
  run: TrainingRun,
  settings: FineTuneSettings,
  step: number,
  cache: LiveModelCache,
): Promise<void> {
  if (!(await checkpoints.listCheckpoints()).includes(step)) return;
  try {
    const built = await buildLiveModel({ checkpoints, settings }, step, cache);
    if (built.step === step) store.trainingRuns.setLiveModel(run.id, step, await store.blobs.put(built.bytes));
  } catch (error) {
    // Training matters more than its preview: liveModel.get builds it on request and reports the error there.
    console.warn(`training run ${run.id}: live model for step ${step} not built: ${(error as Error).message}`);
  }
}

/**
 * A new run's engine record from its row's summary settings and the concept's training pairs (ascending id,
 * the held-out ones last, as training.plan showed them). The step count stays on the row.
 */
function newRunEngine(store: Store, run: TrainingRun): TrainingRunEngine {
  const pairs = store.pairs.listByConcept(run.conceptId).filter(isTrainingPair);
  if (pairs.length === 0) throw new Error(`concept ${run.conceptId} has no pending or accepted pairs to train on`);
  const shippedBase = findShippedBase();
  const s = run.settings;
  // When one built-in effect made every pair, the trainer re-teaches each random crop (exact targets even for
  // position-dependent effects such as vignettes); imported or diffusion targets are cropped as they are.
  const builtins = new Set(pairs.map((pair) => (pair.teacher.kind === 'builtin' ? pair.teacher.id : '')));
  const teacher = builtins.size === 1 && !builtins.has('') ? [...builtins][0]! : undefined;
  const { steps: _steps, ...defaults } = DEFAULT_SETTINGS;
  return {
    settings: {
      ...(teacher ? { teacher } : {}),
      ...defaults,
      ...(shippedBase ? { base: shippedBase.weights } : {}),
      size: s.size,
      // 'auto' starts the search from this rank; searchRanksFor replaces it with the ranks found.
      ranks: s.rank === 'auto' ? AUTO_RANK_START : s.rank,
      learningRate: s.learningRate,
      warmupSteps: Math.min(DEFAULT_SETTINGS.warmupSteps, Math.floor(s.steps / 10)),
      checkpointEvery: s.checkpointEvery,
      previewEvery: s.previewEvery,
      // The same split training.plan shows before the run starts.
      heldOut: heldOutCountFor(pairs.length),
      executionProviders: s.executionProvider === 'auto' ? 'auto' : [s.executionProvider],
    },
    pairIds: pairs.map((pair) => pair.id).sort((a, b) => a - b),
  };
}

const AUTO_RANK_START = 8;

/**
 * Rank 'auto': E2GAN's rank search over short real fine-tunes of this run's data (a tenth of its steps each),
 * then the run trains with the per-layer ranks found. Each finished trial is reported as progress. A cancel
 * fails the trial in flight at its next compute request (one training step at most) and null is returned:
 * trials run in memory, so a cancelled search leaves nothing half-written behind.
 */
async function searchRanksFor(
  pairs: readonly NamedPair[],
  settings: FineTuneSettings,
  reportProgress: (progress: number, message: string | null) => void,
  signal: AbortSignal,
): Promise<{ ranks: FineTuneSettings['ranks'] } | null> {
  if (signal.aborted) return null;
  const maxTrials = maxRankSearchTrials(AUTO_RANK_START, LORA_GROUPS.length);
  let trials = 0;
  reportProgress(0, formatRankSearchProgress({ done: 0, maxTrials }));
  const client = ComputeClient.start();
  const compute = refuseAfterAbort(client, signal);
  try {
    const report = await searchRanksOnPairs(pairs, settings, {
      startRank: AUTO_RANK_START,
      trialSteps: Math.max(2, Math.floor(settings.steps / 10)),
      compute,
      onTrial: (label, _ranks, loss) => reportProgress(0, formatRankSearchProgress({ done: ++trials, maxTrials, label, validationL1: loss })),
    });
    return signal.aborted ? null : { ranks: report.ranks };
  } catch (error) {
    if (signal.aborted) return null;
    throw error;
  } finally {
    await compute.settled();
    await client.terminate();
  }
}

/**
 * The compute client as the search sees it: once `signal` aborts, every new request rejects at once, so the
 * trial in flight stops at its next step. Requests already running are let finish (settled() waits for them):
 * terminating the worker while onnxruntime runs inside it aborts the whole process.
 */
function refuseAfterAbort(client: ComputeClient, signal: AbortSignal): ComputeClient & { settled(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  const settled = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'settled') return settled;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (signal.aborted) return Promise.reject(new Error('rank search cancelled'));
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) {
          inFlight.add(result);
          void result.then(
            () => inFlight.delete(result),
            () => inFlight.delete(result),
          );
        }
        return result;
      };
    },
  }) as ComputeClient & { settled(): Promise<void> };
}
