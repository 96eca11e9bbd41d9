import type { SchedulerConfig, TimestepSpacing } from './config';

/** Betas for each training timestep (float64; diffusers computes these in float32, the difference is < 1e-6). */
export function makeBetas(config: SchedulerConfig): Float64Array {
  const n = config.numTrainTimesteps;
  if (config.trainedBetas) {
    if (config.trainedBetas.length !== n) {
      throw new Error(`scheduler: trained_betas has ${config.trainedBetas.length} entries, expected num_train_timesteps = ${n}`);
    }
    return Float64Array.from(config.trainedBetas);
  }
  const betas = new Float64Array(n);
  switch (config.betaSchedule) {
    case 'linear':
      for (let i = 0; i < n; i++) betas[i] = config.betaStart + ((config.betaEnd - config.betaStart) * i) / (n - 1);
      break;
    case 'scaled_linear': {
      // Linear in sqrt(beta): the schedule Stable Diffusion was trained with.
      const a = Math.sqrt(config.betaStart);
      const b = Math.sqrt(config.betaEnd);
      for (let i = 0; i < n; i++) betas[i] = (a + ((b - a) * i) / (n - 1)) ** 2;
      break;
    }
    case 'squaredcos_cap_v2': {
      const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
      for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999);
      break;
    }
  }
  return betas;
}

export function makeAlphasCumprod(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) {
    product *= 1 - betas[i]!;
    out[i] = product;
  }
  return out;
}

/**
 * Inference timesteps, descending, as diffusers' set_timesteps spaces them. Values may be fractional for
 * 'linspace' (Euler interpolates sigmas there); DDIM/LCM round them.
 */
export function spaceTimesteps(spacing: TimestepSpacing, numTrain: number, numSteps: number, stepsOffset: number): number[] {
  if (!Number.isInteger(numSteps) || numSteps < 1 || numSteps > numTrain) {
    throw new Error(`scheduler: number of steps must be an integer in 1..${numTrain}, got ${numSteps}`);
  }
  const out: number[] = [];
  switch (spacing) {
    case 'linspace':
      for (let i = numSteps - 1; i >= 0; i--) out.push(numSteps === 1 ? 0 : ((numTrain - 1) * i) / (numSteps - 1));
      break;
    case 'leading': {
      const ratio = Math.floor(numTrain / numSteps);
      for (let i = numSteps - 1; i >= 0; i--) out.push(i * ratio + stepsOffset);
      break;
    }
    case 'trailing': {
      // arange(numTrain, 0, -ratio).round() - 1, with numpy's round-half-to-even.
      const ratio = numTrain / numSteps;
      for (let t = numTrain; t > 0 && out.length < numSteps; t -= ratio) out.push(roundHalfEven(t) - 1);
      break;
    }
  }
  return out;
}

export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Linear interpolation of `values` (indexed 0..n-1) at a fractional position, like np.interp. */
export function interpolate(values: Float64Array, position: number): number {
  if (position <= 0) return values[0]!;
  if (position >= values.length - 1) return values[values.length - 1]!;
  const low = Math.floor(position);
  const frac = position - low;
  return values[low]! * (1 - frac) + values[low + 1]! * frac;
}
