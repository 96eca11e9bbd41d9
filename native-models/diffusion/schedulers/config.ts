export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type SchedulerKind = 'euler' | 'euler-ancestral' | 'ddim' | 'lcm';

/** The subset of diffusers' scheduler_config.json that our schedulers honour, with diffusers' defaults filled in. */
export interface SchedulerConfig {
  kind: SchedulerKind;
  /** The config's "_class_name" when we run a different sampler over its noise schedule (e.g. PNDM -> Euler). */
  substitutedFrom: string | undefined;
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: number[] | undefined;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  clipSample: boolean;
  clipSampleRange: number;
  setAlphaToOne: boolean;
  /** Euler-family: Karras et al. (2022) sigma spacing (rho = 7) between the schedule's min and max sigma. */
  useKarrasSigmas: boolean;
  /** LCM only: the teacher's step count the LCM was distilled on, and the boundary-condition time scale. */
  originalInferenceSteps: number;
  timestepScaling: number;
}

const CLASS_NAMES: Record<string, SchedulerKind> = {
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler-ancestral',
  DDIMScheduler: 'ddim',
  LCMScheduler: 'lcm',
};

// diffusers' per-class defaults for timestep_spacing and clip_sample differ; these are the documented ones.
const DEFAULT_SPACING: Record<SchedulerKind, TimestepSpacing> = {
  euler: 'linspace',
  'euler-ancestral': 'linspace',
  ddim: 'leading',
  lcm: 'leading',
};

export function schedulerKindFromClassName(className: string): SchedulerKind | undefined {
  return CLASS_NAMES[className];
}

/**
 * diffusers samplers we do not implement but whose noise schedule (betas, prediction type) is the same
 * DDPM family: exports often ship PNDM or DPM-Solver configs, and diffusers itself lets any of these be
 * swapped for Euler via from_config, so we run Euler over the same schedule.
 */
const SUBSTITUTABLE_CLASS_NAMES = new Set([
  'PNDMScheduler',
  'LMSDiscreteScheduler',
  'DPMSolverMultistepScheduler',
  'DPMSolverSinglestepScheduler',
  'DDPMScheduler',
  'HeunDiscreteScheduler',
  'KDPM2DiscreteScheduler',
  'KDPM2AncestralDiscreteScheduler',
  'UniPCMultistepScheduler',
  'DEISMultistepScheduler',
]);

/**
 * Reads a parsed scheduler_config.json. `kindOverride` lets a caller pick another sampler for the same noise
 * schedule (diffusers' `from_config`). `source` names the file in errors.
 */
export function parseSchedulerConfig(raw: unknown, options: { kindOverride?: SchedulerKind; source?: string } = {}): SchedulerConfig {
  const source = options.source ?? 'scheduler_config.json';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected a JSON object`);
  const json = raw as Record<string, unknown>;
  let kind = options.kindOverride;
  let substitutedFrom: string | undefined;
  if (!kind) {
    const className = json['_class_name'];
    if (typeof className !== 'string') throw new Error(`${source}: field "_class_name" is missing`);
    kind = schedulerKindFromClassName(className);
    if (!kind && SUBSTITUTABLE_CLASS_NAMES.has(className)) {
      kind = 'euler';
      substitutedFrom = className;
    }
    if (!kind) {
      throw new Error(
        `${source}: scheduler "${className}" is not supported (expected one of ${[...Object.keys(CLASS_NAMES), ...SUBSTITUTABLE_CLASS_NAMES].join(', ')})`,
      );
    }
  }
  const num = (field: string, fallback: number): number => {
    const value = json[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${source}: field "${field}" must be a number, got ${JSON.stringify(value)}`);
    return value;
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const value = json[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw new Error(`${source}: field "${field}" must be true or false, got ${JSON.stringify(value)}`);
    return value;
  };
  const oneOf = <T extends string>(field: string, allowed: readonly T[], fallback: T): T => {
    const value = json[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      throw new Error(`${source}: field "${field}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  };
  const trained = json['trained_betas'];
  if (trained !== undefined && trained !== null && !(Array.isArray(trained) && trained.every((b) => typeof b === 'number'))) {
    throw new Error(`${source}: field "trained_betas" must be an array of numbers`);
  }
  const numTrainTimesteps = num('num_train_timesteps', 1000);
  if (!Number.isInteger(numTrainTimesteps) || numTrainTimesteps < 2) {
    throw new Error(`${source}: field "num_train_timesteps" must be an integer >= 2, got ${numTrainTimesteps}`);
  }
  return {
    kind,
    substitutedFrom,
    numTrainTimesteps,
    betaStart: num('beta_start', 0.0001),
    betaEnd: num('beta_end', 0.02),
    betaSchedule: oneOf('beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const, 'linear'),
    trainedBetas: (trained as number[] | null | undefined) ?? undefined,
    predictionType: oneOf('prediction_type', ['epsilon', 'v_prediction', 'sample'] as const, 'epsilon'),
    timestepSpacing: oneOf('timestep_spacing', ['leading', 'trailing', 'linspace'] as const, DEFAULT_SPACING[kind]),
    stepsOffset: num('steps_offset', 0),
    clipSample: bool('clip_sample', kind === 'ddim'),
    clipSampleRange: num('clip_sample_range', 1),
    setAlphaToOne: bool('set_alpha_to_one', true),
    useKarrasSigmas: bool('use_karras_sigmas', false),
    originalInferenceSteps: num('original_inference_steps', 50),
    timestepScaling: num('timestep_scaling', 10),
  };
}
