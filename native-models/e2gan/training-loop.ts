import { ComputeClient, type ExecutionProviderName, type StepProgram, type WireTensor } from '../runtime';
import { createRng, type Rng } from '../util/rng';
import type { LossRecord, NamedTensor, RunDir, TrainState } from './run-dir';

/**
 * The one training loop of concept fine-tuning (trainer.ts) and base pre-training (base-trainer.ts): a compiled
 * GAN step loaded into a compute worker with its state kept on the device, a step function that makes each
 * step's data, checkpoints on a schedule (and on the last step and after an interruption) that resume continues
 * from exactly, and lifecycle callbacks through which each trainer emits its own events. What differs between
 * the two (data, previews, EMA, outputs) stays in the trainers.
 */

/**
 * Where a run's checkpoints go. A run folder (RunDir: one safetensors file per checkpoint) is one; the studio
 * can keep them elsewhere (MemoryCheckpoints below, or its own store) without a folder.
 */
export type CheckpointStore = Pick<RunDir, 'saveCheckpoint' | 'loadLatestCheckpoint' | 'listCheckpoints' | 'checkpointPath'>;

/** Checkpoints kept in memory (the newest `keep`), for runs without a folder and for tests. */
export class MemoryCheckpoints implements CheckpointStore {
  private readonly saved = new Map<number, TrainState>();

  constructor(private readonly keep = 2) {}

  checkpointPath(step: number): string {
    return `checkpoint of step ${step} (in memory)`;
  }

  async saveCheckpoint(state: TrainState): Promise<string> {
    // A copy: the trainer keeps appending to its loss history and reusing its sampler state after a save.
    this.saved.set(state.step, structuredClone(state));
    const steps = await this.listCheckpoints();
    for (const old of steps.slice(0, Math.max(0, steps.length - this.keep))) this.saved.delete(old);
    return this.checkpointPath(state.step);
  }

  async listCheckpoints(): Promise<number[]> {
    return [...this.saved.keys()].sort((a, b) => a - b);
  }

  async loadLatestCheckpoint(): Promise<TrainState | undefined> {
    const step = (await this.listCheckpoints()).at(-1);
    return step === undefined ? undefined : structuredClone(this.saved.get(step)!);
  }
}

/** What a trainer hands the loop for one step. */
export interface PlannedStep<Detail> {
  /** Data inputs of the step program except `step_offset`, which the loop adds. */
  readonly data: Record<string, WireTensor>;
  readonly learningRate: number;
  /** Extra numbers stored with this step's losses in the history (e.g. the base run's concept index). */
  readonly recorded?: Record<string, number>;
  /** Passed back to onStep with the step's result (e.g. the concept's id for the step event). */
  readonly detail: Detail;
}

/** The step's outcome as the trainers report it in their 'step' events. */
export interface StepReport<Detail> {
  readonly step: number;
  readonly losses: Record<string, number>;
  readonly learningRate: number;
  readonly itPerSec: number;
  readonly etaSeconds: number;
  readonly detail: Detail;
}

/** Read access to the step state while the loop holds it (previews, EMA, final weights). */
export interface LoopState {
  readState(names?: readonly string[]): Promise<Record<string, Float32Array>>;
  /** Seconds the run has trained, across resumes. */
  elapsed(): number;
}

export interface CheckpointPolicy {
  /** Save every this many steps (and always at the last step run). */
  readonly every: number;
  /** State inputs not saved as `state.<input>` (kept under other names by `tensors`, e.g. the EMA). */
  readonly unsavedState?: ReadonlySet<string>;
  /** Tensors saved besides the state; called with the state just read back, before `extra`. */
  tensors?(state: Record<string, Float32Array>): Iterable<[string, NamedTensor]>;
  /** JSON state saved with the checkpoint (sampler positions...), given the elapsed seconds to include. */
  extra(seconds: number): Record<string, unknown>;
}

export interface TrainingLoopSpec<Detail, Result> {
  readonly checkpointStore: CheckpointStore;
  readonly program: StepProgram;
  /** Starting value of every state input (from the checkpoint on a resume). */
  readonly initial: Record<string, Float32Array>;
  readonly executionProviders: readonly ExecutionProviderName[] | 'auto';
  /** The checkpoint resumed from, if any: where the loop starts, its loss history and elapsed seconds. */
  readonly checkpoint: TrainState | undefined;
  readonly totalSteps: number;
  /** The RNG of sampling and augmentation: its state is saved with every checkpoint. */
  readonly rng: Rng;
  /** Makes the data of the step after `stepsDone` steps. */
  planStep(stepsDone: number): PlannedStep<Detail>;
  readonly checkpoints: CheckpointPolicy;
  onStarted?(executionProvider: ExecutionProviderName, state: LoopState): void | Promise<void>;
  onStep?(report: StepReport<Detail>): void | Promise<void>;
  onCheckpoint?(step: number, path: string): void | Promise<void>;
  /** After a step (and its checkpoint): previews. */
  afterStep?(step: number, state: LoopState): Promise<void>;
  /** Once all totalSteps are done, with the state still loaded: write the outputs. */
  finish(state: LoopState, history: readonly LossRecord[]): Promise<Result>;
  readonly signal?: AbortSignal;
  /** Stop (after checkpointing) once this many steps are done. */
  readonly stopAfter?: number;
  /** A compute worker shared between runs; one is started (and stopped) otherwise. */
  readonly compute?: ComputeClient;
}

export type TrainingLoopOutcome<Result> =
  | { readonly completed: false; readonly step: number; readonly lossHistory: readonly LossRecord[]; readonly seconds: number }
  | { readonly completed: true; readonly step: number; readonly lossHistory: readonly LossRecord[]; readonly result: Result };

/** Steps over which it/s is averaged before the window restarts. */
const SPEED_WINDOW_STEPS = 20;

export async function runTrainingLoop<Detail, Result>(spec: TrainingLoopSpec<Detail, Result>): Promise<TrainingLoopOutcome<Result>> {
  const { checkpointStore, program, checkpoint, rng, totalSteps } = spec;
  const startStep = checkpoint?.step ?? 0;
  const history: LossRecord[] = [...(checkpoint?.lossHistory ?? [])];
  const previousSeconds = Number(checkpoint?.extra?.seconds ?? 0);
  const ownsCompute = !spec.compute;
  const compute = spec.compute ?? ComputeClient.start();
  const started = performance.now();
  const elapsed = (): number => previousSeconds + (performance.now() - started) / 1000;
  let stateId: number | undefined;
  try {
    const loaded = await compute.loadTrainStep(program, spec.initial, {
      executionProviders: spec.executionProviders as ExecutionProviderName[] | 'auto',
      keepStateOnDevice: true,
    });
    const id = loaded.stateId;
    stateId = id;
    const state: LoopState = { readState: (names) => compute.readState(id, names ? [...names] : undefined), elapsed };
    await spec.onStarted?.(loaded.executionProvider, state);

    const saveCheckpoint = async (step: number): Promise<void> => {
      const values = await compute.readState(id);
      const tensors = new Map<string, NamedTensor>();
      for (const binding of program.state) {
        if (!spec.checkpoints.unsavedState?.has(binding.input)) tensors.set(`state.${binding.input}`, { shape: binding.shape, data: values[binding.input]! });
      }
      for (const [name, tensor] of spec.checkpoints.tensors?.(values) ?? []) tensors.set(name, tensor);
      const path = await checkpointStore.saveCheckpoint({
        step,
        tensors,
        rngState: { data: rng.state },
        lossHistory: history,
        extra: spec.checkpoints.extra(elapsed()),
      });
      await spec.onCheckpoint?.(step, path);
    };

    let windowStart = performance.now();
    let windowSteps = 0;
    let itPerSec = 0;
    let step = startStep;
    const stopAt = Math.min(totalSteps, spec.stopAfter ?? Infinity);
    while (step < stopAt) {
      if (spec.signal?.aborted) break;
      const planned = spec.planStep(step);
      const result = await compute.trainStep(
        id,
        {
          ...planned.data,
          // The state's own step counter restarts at 0 in a fresh session; Adam needs the run's true step.
          step_offset: { dtype: 'float32', dims: [], data: new Float32Array([startStep]) },
        },
        planned.learningRate,
      );
      step += 1;
      history.push({ step, losses: planned.recorded ? { ...result.metrics, ...planned.recorded } : result.metrics });
      windowSteps += 1;
      const windowSeconds = (performance.now() - windowStart) / 1000;
      if (windowSeconds > 0) itPerSec = windowSteps / windowSeconds;
      if (windowSteps >= SPEED_WINDOW_STEPS) {
        windowStart = performance.now();
        windowSteps = 0;
      }
      await spec.onStep?.({
        step,
        losses: result.metrics,
        learningRate: planned.learningRate,
        itPerSec,
        etaSeconds: itPerSec > 0 ? (totalSteps - step) / itPerSec : NaN,
        detail: planned.detail,
      });
      if (step % spec.checkpoints.every === 0 || step === stopAt) await saveCheckpoint(step);
      await spec.afterStep?.(step, state);
    }
    // Interrupted by the signal between checkpoints: keep what was done.
    if (step > startStep && (await checkpointStore.listCheckpoints()).at(-1) !== step) await saveCheckpoint(step);
    if (step < totalSteps) return { completed: false, step, lossHistory: history, seconds: elapsed() };
    return { completed: true, step, lossHistory: history, result: await spec.finish(state, history) };
  } finally {
    if (stateId !== undefined) await compute.releaseState(stateId).catch(() => undefined);
    if (ownsCompute) await compute.terminate();
  }
}

/** The sampling/augmentation RNG: restored from a checkpoint, else seeded. */
export function resumedRng(checkpoint: TrainState | undefined, seed: number): Rng {
  return createRng(checkpoint?.rngState.data ?? seed);
}

/**
 * Starting values of a step program's state: the checkpoint's `state.<input>` tensors on a resume (every one
 * must be there), else zeros for optimizer moments and `fresh(input)` for parameters. Inputs in `skip` are
 * left for the caller (the fine-tune's EMA).
 */
export function initialStepState(
  program: StepProgram,
  checkpoint: TrainState | undefined,
  checkpointPath: string,
  options: { moments: ReadonlySet<string>; fresh(input: string): Float32Array; skip?: ReadonlySet<string> },
): Record<string, Float32Array> {
  const initial: Record<string, Float32Array> = {};
  for (const binding of program.state) {
    if (options.skip?.has(binding.input)) continue;
    const saved = checkpoint?.tensors.get(`state.${binding.input}`);
    if (checkpoint && !saved) throw new Error(`${checkpointPath}: missing state tensor '${binding.input}' (was the run started with other settings?)`);
    initial[binding.input] =
      saved?.data ?? (options.moments.has(binding.input) ? new Float32Array(binding.shape.reduce((a, b) => a * b, 1)) : options.fresh(binding.input));
  }
  return initial;
}

/**
 * The settings of a run folder: the stored run.json on a resume, else the given settings for a new run (refused
 * when the folder already holds a run). `kind` names the run in errors ('run', 'base run').
 */
export async function runSettings<Settings>(
  run: RunDir,
  given: Settings | undefined,
  resume: boolean,
  errors: { make(message: string): Error; kind: string; resumeHint: string },
): Promise<Settings> {
  const stored = (await run.readSettings()) as Settings | undefined;
  if (resume) {
    if (!stored) throw errors.make(`${run.settingsPath}: no ${errors.kind} to resume (run.json missing)`);
    return stored;
  }
  if (stored) throw errors.make(`${run.path}: a run already exists there; ${errors.resumeHint} or choose another --out`);
  if (!given) throw errors.make(`settings are required for a new ${errors.kind}`);
  return given;
}
