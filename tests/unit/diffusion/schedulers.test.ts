import { describe, expect, it } from 'vitest';
import { img2imgStartIndex, schedulerFromJson, type Scheduler } from '../../../native-models/diffusion/schedulers/index';
import { makeAlphasCumprod, makeBetas, spaceTimesteps } from '../../../native-models/diffusion/schedulers/noise-schedule';
import { parseSchedulerConfig } from '../../../native-models/diffusion/schedulers/config';
import { SeededRandom } from '../../../native-models/diffusion/random';

// diffusers' scheduler test fixtures: a deterministic 4x3x8x8 sample k/768 and a model x*t/(t+1).
function dummySample(): Float32Array {
  const n = 4 * 3 * 8 * 8;
  return Float32Array.from({ length: n }, (_, k) => k / n);
}
const dummyModel = (sample: Float32Array, t: number): Float32Array => sample.map((x) => (x * t) / (t + 1));
const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);
const expectRelative = (actual: number, expected: number): void => expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(1e-3);

describe('reference sums from diffusers tests', () => {
  it('DDIM full loop without noise sums to 172.0067', () => {
    const scheduler = schedulerFromJson({
      _class_name: 'DDIMScheduler',
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      clip_sample: true,
    });
    scheduler.setTimesteps(10);
    expect(scheduler.timesteps).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    let sample: Float32Array = dummySample();
    const random = new SeededRandom(0);
    scheduler.timesteps.forEach((t, i) => {
      sample = scheduler.step(dummyModel(sample, t), i, sample, random);
    });
    expectRelative(sum(sample), 172.0067);
  });

  // The other DDIM full-loop expectations of diffusers' test_scheduler_ddim.py (sum of |x|).
  function ddimLoop(overrides: Record<string, unknown>, noiseFrom?: number): number {
    const scheduler = schedulerFromJson({
      _class_name: 'DDIMScheduler',
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      clip_sample: true,
      ...overrides,
    });
    scheduler.setTimesteps(10);
    let sample: Float32Array = dummySample();
    let first = 0;
    if (noiseFrom !== undefined) {
      // dummy_noise_deter: the same arrangement counting down, (N-1-k)/N.
      const noise = dummySample().reverse();
      sample = scheduler.addNoise(sample, noise, noiseFrom);
      first = noiseFrom;
    }
    const random = new SeededRandom(0);
    for (let i = first; i < scheduler.timesteps.length; i++) sample = scheduler.step(dummyModel(sample, scheduler.timesteps[i]!), i, sample, random);
    return sample.reduce((acc, v) => acc + Math.abs(v), 0);
  }

  it('DDIM v-prediction / set_alpha_to_one / noised-start loops match diffusers', () => {
    expectRelative(ddimLoop({ prediction_type: 'v_prediction' }), 52.5302);
    expectRelative(ddimLoop({ set_alpha_to_one: true, beta_start: 0.01 }), 149.8295);
    expectRelative(ddimLoop({ set_alpha_to_one: false, beta_start: 0.01 }), 149.0784);
    expectRelative(ddimLoop({}, 8), 354.5418);
  });

  it('Euler full loop without noise sums to 10.0807', () => {
    const scheduler = schedulerFromJson({
      _class_name: 'EulerDiscreteScheduler',
      num_train_timesteps: 1100,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
    });
    scheduler.setTimesteps(10);
    let sample: Float32Array = dummySample().map((v) => v * scheduler.initNoiseSigma);
    const random = new SeededRandom(0);
    scheduler.timesteps.forEach((t, i) => {
      // The diffusers test feeds the scaled sample to both the model and step(); we reproduce it exactly.
      sample = scheduler.scaleModelInput(sample, i);
      sample = scheduler.step(dummyModel(sample, t), i, sample, random);
    });
    expectRelative(sum(sample), 10.0807);
  });

  it('Euler with Karras sigmas sums to 124.5230', () => {
    const scheduler = schedulerFromJson({
      _class_name: 'EulerDiscreteScheduler',
      num_train_timesteps: 1100,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      use_karras_sigmas: true,
    });
    scheduler.setTimesteps(10);
    let sample: Float32Array = dummySample().map((v) => v * scheduler.initNoiseSigma);
    const random = new SeededRandom(0);
    scheduler.timesteps.forEach((t, i) => {
      sample = scheduler.scaleModelInput(sample, i);
      sample = scheduler.step(dummyModel(sample, t), i, sample, random);
    });
    expectRelative(
      sample.reduce((acc, v) => acc + Math.abs(v), 0),
      124.52299499511719,
    );
  });

  it('LCM one-step loop sums to 18.7097', () => {
    const scheduler = schedulerFromJson({
      _class_name: 'LCMScheduler',
      num_train_timesteps: 1000,
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      prediction_type: 'epsilon',
    });
    scheduler.setTimesteps(1);
    expect(scheduler.timesteps).toEqual([999]);
    const sample = scheduler.step(dummyModel(dummySample(), 999), 0, dummySample(), new SeededRandom(0));
    expectRelative(sum(sample), 18.7097);
  });
});

describe('noise schedules and spacing', () => {
  it('runs Euler over the schedule of samplers we do not implement (PNDM in SD1.5 exports)', () => {
    const config = parseSchedulerConfig({
      _class_name: 'PNDMScheduler',
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      beta_end: 0.012,
      steps_offset: 1,
      skip_prk_steps: true,
    });
    expect(config).toMatchObject({
      kind: 'euler',
      substitutedFrom: 'PNDMScheduler',
      betaSchedule: 'scaled_linear',
      stepsOffset: 1,
      timestepSpacing: 'linspace',
    });
    expect(parseSchedulerConfig({ _class_name: 'DDIMScheduler' }).substitutedFrom).toBeUndefined();
    expect(parseSchedulerConfig({ _class_name: 'PNDMScheduler' }, { kindOverride: 'ddim' })).toMatchObject({ kind: 'ddim', substitutedFrom: undefined });
  });

  it('builds the three beta schedules', () => {
    const base = { _class_name: 'DDIMScheduler', num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012 };
    const linear = makeBetas(parseSchedulerConfig({ ...base, beta_schedule: 'linear' }));
    expect(linear[0]).toBeCloseTo(0.00085, 12);
    expect(linear[999]).toBeCloseTo(0.012, 12);
    const scaled = makeBetas(parseSchedulerConfig({ ...base, beta_schedule: 'scaled_linear' }));
    expect(scaled[0]).toBeCloseTo(0.00085, 12);
    expect(scaled[500]).toBeLessThan(linear[500]!);
    const cosine = makeBetas(parseSchedulerConfig({ ...base, beta_schedule: 'squaredcos_cap_v2' }));
    expect(cosine[999]).toBe(0.999);
    // SD's scaled_linear schedule ends with alphas_cumprod ~ 0.0047 (sigma_max ~ 14.6).
    const ac = makeAlphasCumprod(scaled);
    expect(Math.sqrt((1 - ac[999]!) / ac[999]!)).toBeCloseTo(14.6146, 3);
  });

  it('spaces timesteps leading / trailing / linspace like diffusers', () => {
    expect(spaceTimesteps('leading', 1000, 4, 1)).toEqual([751, 501, 251, 1]);
    expect(spaceTimesteps('trailing', 1000, 4, 0)).toEqual([999, 749, 499, 249]);
    expect(spaceTimesteps('trailing', 1000, 1, 0)).toEqual([999]);
    expect(spaceTimesteps('linspace', 1000, 3, 0)).toEqual([999, 499.5, 0]);
    expect(() => spaceTimesteps('leading', 1000, 0, 0)).toThrow(/1\.\.1000, got 0/);
  });

  it('reports bad config fields by name', () => {
    expect(() => parseSchedulerConfig({ _class_name: 'FancyScheduler' }, { source: 'x/scheduler_config.json' })).toThrow(
      /x\/scheduler_config.json: scheduler "FancyScheduler" is not supported/,
    );
    expect(() => parseSchedulerConfig({ _class_name: 'DDIMScheduler', beta_schedule: 'cubic' })).toThrow(
      /"beta_schedule" must be one of linear, scaled_linear, squaredcos_cap_v2, got "cubic"/,
    );
    expect(() => parseSchedulerConfig({ _class_name: 'DDIMScheduler', steps_offset: '1' })).toThrow(/"steps_offset" must be a number/);
  });
});

describe('sampler behaviour', () => {
  const sdConfig = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' };

  function runLoop(scheduler: Scheduler, seed: number, steps: number): Float32Array {
    scheduler.setTimesteps(steps);
    const random = new SeededRandom(seed);
    let sample: Float32Array = random.normalArray(64).map((v) => v * scheduler.initNoiseSigma);
    scheduler.timesteps.forEach((t, i) => {
      const input = scheduler.scaleModelInput(sample, i);
      sample = scheduler.step(dummyModel(input, t), i, sample, random);
    });
    return sample;
  }

  it('Euler-ancestral is reproducible per seed and differs across seeds', () => {
    const make = () => schedulerFromJson({ _class_name: 'EulerAncestralDiscreteScheduler', ...sdConfig });
    const a = runLoop(make(), 42, 5);
    const b = runLoop(make(), 42, 5);
    const c = runLoop(make(), 43, 5);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('a perfect epsilon model recovers the clean sample in one Euler step', () => {
    const scheduler = schedulerFromJson({ _class_name: 'EulerDiscreteScheduler', ...sdConfig, timestep_spacing: 'trailing' });
    scheduler.setTimesteps(1);
    const clean = Float32Array.from({ length: 16 }, (_, i) => i / 16 - 0.5);
    const noise = new SeededRandom(3).normalArray(16);
    const noisy = scheduler.addNoise(clean, noise, 0);
    const out = scheduler.step(noise, 0, noisy, new SeededRandom(0));
    out.forEach((v, i) => expect(v).toBeCloseTo(clean[i]!, 4));
  });

  it('v-prediction and sample prediction recover x0 in DDIM', () => {
    const clean = Float32Array.from({ length: 8 }, (_, i) => (i - 4) / 8);
    const noise = new SeededRandom(9).normalArray(8);
    for (const prediction_type of ['sample', 'v_prediction']) {
      const scheduler = schedulerFromJson({ _class_name: 'DDIMScheduler', ...sdConfig, prediction_type, timestep_spacing: 'trailing' });
      scheduler.setTimesteps(1);
      const t = scheduler.timesteps[0]!;
      const ac = makeAlphasCumprod(makeBetas(parseSchedulerConfig({ _class_name: 'DDIMScheduler', ...sdConfig })))[t]!;
      const noisy = scheduler.addNoise(clean, noise, 0);
      const output = prediction_type === 'sample' ? clean : clean.map((x, i) => Math.sqrt(ac) * noise[i]! - Math.sqrt(1 - ac) * x);
      const out = scheduler.step(output, 0, noisy, new SeededRandom(0));
      out.forEach((v, i) => expect(v).toBeCloseTo(clean[i]!, 4));
    }
  });

  it('computes the img2img start index from strength', () => {
    expect(img2imgStartIndex(4, 0.5)).toBe(2);
    expect(img2imgStartIndex(2, 1)).toBe(0);
    expect(() => img2imgStartIndex(1, 0.5)).toThrow(/runs no step/);
    expect(() => img2imgStartIndex(4, 0)).toThrow(/strength must be in \(0, 1\]/);
  });
});

describe('SeededRandom', () => {
  it('produces standard normals', () => {
    const values = new SeededRandom(1).normalArray(20000);
    const mean = sum(values) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
