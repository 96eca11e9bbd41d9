import type { SeededRandom } from '../random';
import type { SchedulerConfig } from './config';

/**
 * A diffusion sampler over flat latent buffers. Steps are addressed by index into `timesteps` (not by timestep
 * value) so fractional Euler timesteps never need a float lookup.
 */
export interface Scheduler {
  readonly config: SchedulerConfig;
  /** Descending timesteps after setTimesteps; the values fed to the UNet (may be fractional for Euler). */
  readonly timesteps: readonly number[];
  /** Scale for the initial pure-noise latents (sigma_max for Euler-type samplers, 1 otherwise). */
  readonly initNoiseSigma: number;
  setTimesteps(numSteps: number, options?: { strength?: number }): void;
  /** Input scaling the UNet expects at this step (Euler divides by sqrt(sigma^2 + 1)); returns a new buffer or the input. */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** One denoising step: the sample for the next step index. `random` supplies the ancestral noise. */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, random: SeededRandom): Float32Array;
  /** Forward-diffuses clean latents to the noise level of `stepIndex` (img2img start). */
  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array;
}

/** diffusers' img2img: skip the first steps so only `strength` of the schedule is run. */
export function img2imgStartIndex(numSteps: number, strength: number): number {
  if (!(strength > 0 && strength <= 1)) throw new Error(`img2img: strength must be in (0, 1], got ${strength}`);
  const initTimestep = Math.min(Math.floor(numSteps * strength), numSteps);
  if (initTimestep < 1) {
    throw new Error(`img2img: strength ${strength} with ${numSteps} steps runs no step; raise steps or strength so steps*strength >= 1`);
  }
  return Math.max(numSteps - initTimestep, 0);
}

export function requireSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) throw new Error(`scheduler: ${what} has ${a.length} values, the sample has ${b.length}`);
}

/** The training timestep of an inference step, with a clear error before setTimesteps or past the end. */
export function timestepAt(timesteps: readonly number[], stepIndex: number): number {
  const t = timesteps[stepIndex];
  if (t === undefined) throw new Error(`scheduler: step index ${stepIndex} out of range 0..${timesteps.length - 1} (call setTimesteps first)`);
  return t;
}

/** Forward diffusion for alpha-cumprod (DDPM-style) schedulers: sqrt(a)·x0 + sqrt(1 - a)·noise. */
export function addNoiseAtAlpha(original: Float32Array, noise: Float32Array, alphaProd: number): Float32Array {
  requireSameLength(noise, original, 'noise');
  const a = Math.sqrt(alphaProd);
  const b = Math.sqrt(1 - alphaProd);
  return original.map((v, i) => a * v + b * noise[i]!);
}

/** x0 and epsilon from a model output under the three diffusers parameterisations (DDPM-style alphas). */
export function predictOriginalAndEpsilon(
  predictionType: SchedulerConfig['predictionType'],
  modelOutput: number,
  sample: number,
  alphaProd: number,
): { original: number; epsilon: number } {
  const sqrtAlpha = Math.sqrt(alphaProd);
  const sqrtBeta = Math.sqrt(1 - alphaProd);
  switch (predictionType) {
    case 'epsilon':
      return { original: (sample - sqrtBeta * modelOutput) / sqrtAlpha, epsilon: modelOutput };
    case 'sample':
      return { original: modelOutput, epsilon: (sample - sqrtAlpha * modelOutput) / sqrtBeta };
    case 'v_prediction':
      return { original: sqrtAlpha * sample - sqrtBeta * modelOutput, epsilon: sqrtAlpha * modelOutput + sqrtBeta * sample };
  }
}
