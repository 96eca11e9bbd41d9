import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LORA_GROUPS } from '../../../native-models/e2gan/config';
import { RunDir } from '../../../native-models/e2gan/run-dir';
import { runRankSearch } from '../../../native-models/e2gan/rank-search-run';
import { ComputeClient } from '../../../native-models/runtime';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';
import { DEFAULT_SETTINGS, trainRun, type TrainSettings } from '../../../native-models/e2gan/trainer';
import type { QualityBaselines, TrainingRun, TrainRunResult } from '../../domain/flow-types';
import { buildLiveModel, type LiveModelCache } from '../live-model';
import { formatRankSearchProgress, maxRankSearchTrials } from '../../domain/rank-search-progress';
import { heldOutCountFor, isTrainingPair } from '../../domain/training-pairs';
import type { TrainingRunsRepository } from '../../store/repositories/training-runs';
import type { Store } from '../../store/store';
import type { JobHandler } from '../job-handlers';

/**
 * Trains (or continues) a studio run with the e2gan trainer. The first execution writes the run's pairs folder
 * and run.json; every later one (resume, extend, a job re-run after a crash) continues from the newest
 * checkpoint. Steps, checkpoints and previews are written to the store as they happen, so the app shows the
 * same history after a restart.
 */
export const trainRunJob: JobHandler<'train-run'> = async ({ payload, store, signal, reportProgress }) => {
  const runs = store.trainingRuns;
  const run = runs.get(payload.runId);
  if (!run) throw new Error(`training run ${payload.runId} does not exist`);
  const runDir = new RunDir(run.runPath);
  const resume = existsSync(runDir.settingsPath);
  let settings: TrainSettings | undefined;
  if (resume) {
    const steps = await runDir.listCheckpoints();
    // Steps after the newest checkpoint are redone; their recorded losses would otherwise appear twice.
    runs.truncateAfter(run.id, steps.at(-1) ?? 0);
  } else {
    settings = await prepareNewRun(store, run);
    if (run.settings.rank === 'auto') {
      const searched = await searchRanksFor(settings, run, reportProgress, signal);
      // Cancelled (or paused) during the search: nothing of the run was written but its pairs folder, so the
      // next start (a resume) searches again from scratch.
      if (!searched) return { runId: run.id, step: 0, completed: false } satisfies TrainRunResult;
      settings = searched;
    }
  }
  runs.setState(run.id, 'running');
  reportProgress(run.step / run.totalSteps, resume ? `resuming at step ${run.step}` : 'starting');
  const pending: Promise<void>[] = [];
  const liveCache: LiveModelCache = {};
  let liveBuilds = Promise.resolve();
  const result = await trainRun(run.runPath, settings, {
    resume,
    signal,
    onEvent: (event) => {
      if (event.type === 'started') {
        runs.setExecutionProvider(run.id, event.executionProvider);
        recordBaselines(runs, run.id, event.baselines);
      } else if (event.type === 'step') {
        runs.recordStep(run.id, { step: event.step, losses: event.losses, itPerSec: event.itPerSec, etaSeconds: Number.isFinite(event.etaSeconds) ? event.etaSeconds : 0 });
        reportProgress(event.step / event.totalSteps, `step ${event.step} of ${event.totalSteps}`);
      } else if (event.type === 'checkpoint') {
        runs.recordCheckpoint(run.id, event.step);
        reportProgress(event.step / run.totalSteps, `checkpoint at step ${event.step}`);
        // Built here, in the job's worker, so the app's main thread never builds graphs for the live preview.
        liveBuilds = liveBuilds.then(() => storeLiveModel(store, runs, run, event.step, liveCache));
      } else if (event.type === 'preview' || event.type === 'done') {
        // Preview files are written before the event; storing them as blobs is async, so queue it.
        pending.push(storePreview(store, runs, run, event));
        recordBaselines(runs, run.id, event.baselines);
      }
    },
  });
  await Promise.all([...pending, liveBuilds]);
  reportProgress(result.step / run.totalSteps, result.completed ? 'done' : `stopped at step ${result.step}`);
  return { runId: run.id, step: result.step, completed: result.completed } satisfies TrainRunResult;
};

/** The run's reference PSNRs (the same for every event of a run); not finite when nothing could be scored. */
function recordBaselines(runs: TrainingRunsRepository, runId: number, baselines: QualityBaselines): void {
  if (Number.isFinite(baselines.identityPsnr) && Number.isFinite(baselines.affinePsnr)) {
    runs.setBaselines(runId, { identityPsnr: baselines.identityPsnr, affinePsnr: baselines.affinePsnr });
  }
}

async function storePreview(
  store: Store,
  runs: TrainingRunsRepository,
  run: TrainingRun,
  event: { type: 'preview'; step: number; files: string[]; heldOutPsnr: number } | { type: 'done'; step: number; heldOutPsnr: number },
): Promise<void> {
  const dir = path.join(new RunDir(run.runPath).previewsPath, `step-${String(event.step).padStart(8, '0')}`);
  const files = event.type === 'preview' ? event.files : await listPreviewFiles(dir);
  const shas: string[] = [];
  for (const file of files) shas.push(await store.blobs.put(await readFile(file)));
  // Preview files are named after the pair files the job wrote: <pair id, zero-padded>-<name>.png.
  const pairIds = files.map((file) => {
    const match = /^(\d+)-/.exec(path.basename(file));
    return match ? Number(match[1]) : null;
  });
  if (shas.length > 0) runs.recordPreview(run.id, event.step, shas, Number.isFinite(event.heldOutPsnr) ? event.heldOutPsnr : null, pairIds);
}

/**
 * A checkpoint that training has already rotated away (only the newest two are kept on disk) is skipped: the
 * next one gets its live model, and the newest checkpoint of a run is never rotated away.
 */
async function storeLiveModel(store: Store, runs: TrainingRunsRepository, run: TrainingRun, step: number, cache: LiveModelCache): Promise<void> {
  const steps = await new RunDir(run.runPath).listCheckpoints();
  if (!steps.includes(step)) return;
  try {
    const built = await buildLiveModel(run.runPath, step, cache);
    if (built.step === step) runs.setLiveModel(run.id, step, await store.blobs.put(built.bytes));
  } catch (error) {
    // Training matters more than its preview: liveModel.get builds it on request and reports the error there.
    console.warn(`training run ${run.id}: live model for step ${step} not built: ${(error as Error).message}`);
  }
}

async function listPreviewFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.png')).sort().map((name) => path.join(dir, name));
}

/** Writes the concept's training pairs as NAME.input.png / NAME.target.png and returns the trainer settings. */
async function prepareNewRun(store: Store, run: TrainingRun): Promise<TrainSettings> {
  const pairs = store.pairs.listByConcept(run.conceptId).filter(isTrainingPair);
  if (pairs.length === 0) throw new Error(`concept ${run.conceptId} has no pending or accepted pairs to train on`);
  const pairsDir = path.join(run.runPath, 'pairs');
  await rm(pairsDir, { recursive: true, force: true });
  await mkdir(pairsDir, { recursive: true });
  for (const pair of pairs) {
    // The pair id keeps names unique when two photos share a file name.
    const name = `${String(pair.id).padStart(6, '0')}-${pair.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
    await writeFile(path.join(pairsDir, `${name}.input.png`), await store.blobs.read(pair.inputSha256));
    await writeFile(path.join(pairsDir, `${name}.target.png`), await store.blobs.read(pair.targetSha256));
  }
  const shippedBase = findShippedBase();
  const s = run.settings;
  // When one built-in effect made every pair, the trainer re-teaches each random crop (exact targets even for
  // position-dependent effects such as vignettes); imported or diffusion targets are cropped as they are.
  const builtins = new Set(pairs.map((pair) => (pair.teacher.kind === 'builtin' ? pair.teacher.id : '')));
  const teacher = builtins.size === 1 && !builtins.has('') ? [...builtins][0]! : undefined;
  return {
    ...(teacher ? { teacher } : {}),
    ...DEFAULT_SETTINGS,
    pairs: pairsDir,
    ...(shippedBase ? { base: shippedBase.weights } : {}),
    size: s.size,
    steps: s.steps,
    // 'auto' starts the search from this rank; searchRanksFor replaces it with the ranks found.
    ranks: s.rank === 'auto' ? AUTO_RANK_START : s.rank,
    learningRate: s.learningRate,
    warmupSteps: Math.min(DEFAULT_SETTINGS.warmupSteps, Math.floor(s.steps / 10)),
    checkpointEvery: s.checkpointEvery,
    previewEvery: s.previewEvery,
    // The same split training.plan shows before the run starts.
    heldOut: heldOutCountFor(pairs.length),
    executionProviders: s.executionProvider === 'auto' ? 'auto' : [s.executionProvider],
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
  settings: TrainSettings,
  run: TrainingRun,
  reportProgress: (progress: number, message: string | null) => void,
  signal: AbortSignal,
): Promise<TrainSettings | null> {
  if (signal.aborted) return null;
  const maxTrials = maxRankSearchTrials(AUTO_RANK_START, LORA_GROUPS.length);
  let trials = 0;
  reportProgress(0, formatRankSearchProgress({ done: 0, maxTrials }));
  const client = ComputeClient.start();
  const compute = refuseAfterAbort(client, signal);
  try {
    const report = await runRankSearch(settings, {
      startRank: AUTO_RANK_START,
      trialSteps: Math.max(2, Math.floor(settings.steps / 10)),
      compute,
      onTrial: (label, _ranks, loss) => reportProgress(0, formatRankSearchProgress({ done: ++trials, maxTrials, label, validationL1: loss })),
    });
    return signal.aborted ? null : { ...settings, ranks: report.ranks };
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
          void result.then(() => inFlight.delete(result), () => inFlight.delete(result));
        }
        return result;
      };
    },
  }) as ComputeClient & { settled(): Promise<void> };
}
