import type { SeededRandom } from '../random';
import type { SchedulerConfig } from './config';
import { interpolate, makeAlphasCumprod, makeBetas, spaceTimesteps } from './noise-schedule';
import { requireSameLength, type Scheduler } from './scheduler';

/** Karras et al. (2022) eq. 5: sigmas evenly spaced in sigma^(1/rho), rho = 7, from max down to min. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, count: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return Array.from({ length: count }, (_, i) => {
    const ramp = count === 1 ? 0 : i / (count - 1);
    return (maxInv + ramp * (minInv - maxInv)) ** rho;
  });
}

/**
 * Euler (Karras et al. Algorithm 2 without churn) and Euler-ancestral samplers in sigma space, as diffusers'
 * EulerDiscreteScheduler / EulerAncestralDiscreteScheduler.
 */
export class EulerScheduler implements Scheduler {
  timesteps: number[] = [];
  /** sigmas[i] for timesteps[i], plus a final 0. */
  sigmas: number[] = [];
  private readonly trainSigmas: Float64Array;

  constructor(
    readonly config: SchedulerConfig,
    private readonly ancestral = config.kind === 'euler-ancestral',
  ) {
    const alphasCumprod = makeAlphasCumprod(makeBetas(config));
    this.trainSigmas = alphasCumprod.map((a) => Math.sqrt((1 - a) / a));
  }

  get initNoiseSigma(): number {
    const maxSigma = this.sigmas.length ? Math.max(...this.sigmas) : this.trainSigmas[this.trainSigmas.length - 1]!;
    // With linspace/trailing spacing the first step sits at the last training timestep; leading spacing does not, hence the +1.
    return this.config.timestepSpacing === 'leading' ? Math.sqrt(maxSigma * maxSigma + 1) : maxSigma;
  }

  setTimesteps(numSteps: number): void {
    const { timestepSpacing, numTrainTimesteps, stepsOffset } = this.config;
    this.timesteps = spaceTimesteps(timestepSpacing, numTrainTimesteps, numSteps, stepsOffset);
    let sigmas = this.timesteps.map((t) => interpolate(this.trainSigmas, t));
    if (this.config.useKarrasSigmas) {
      sigmas = karrasSigmas(sigmas[sigmas.length - 1]!, sigmas[0]!, numSteps);
      // The UNet is conditioned on the (fractional) training timestep whose sigma matches.
      this.timesteps = sigmas.map((sigma) => this.timestepForSigma(sigma));
    }
    this.sigmas = [...sigmas, 0];
  }

  /** Inverse of the training sigma curve, interpolating linearly in log-sigma like diffusers' _sigma_to_t. */
  private timestepForSigma(sigma: number): number {
    const logSigma = Math.log(Math.max(sigma, 1e-10));
    const logs = this.trainSigmas;
    let low = 0;
    for (let i = 0; i < logs.length; i++) if (Math.log(logs[i]!) <= logSigma) low = i;
    low = Math.min(low, logs.length - 2);
    const lowLog = Math.log(logs[low]!);
    const highLog = Math.log(logs[low + 1]!);
    const w = Math.min(Math.max((lowLog - logSigma) / (lowLog - highLog), 0), 1);
    return (1 - w) * low + w * (low + 1);
  }

  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const sigma = this.sigmaAt(stepIndex);
    const scale = 1 / Math.sqrt(sigma * sigma + 1);
    return sample.map((v) => v * scale);
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, random: SeededRandom): Float32Array {
    requireSameLength(modelOutput, sample, 'model output');
    const sigma = this.sigmaAt(stepIndex);
    const sigmaNext = this.sigmas[stepIndex + 1]!;
    let sigmaUp = 0;
    let sigmaTarget = sigmaNext;
    if (this.ancestral) {
      // Step down further than sigmaNext, then add fresh noise of size sigmaUp to land back on sigmaNext.
      sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
      sigmaTarget = Math.sqrt(sigmaNext ** 2 - sigmaUp ** 2);
    }
    const dt = sigmaTarget - sigma;
    const out = new Float32Array(sample.length);
    const vScale = 1 / (sigma * sigma + 1);
    const vOut = -sigma / Math.sqrt(sigma * sigma + 1);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const m = modelOutput[i]!;
      let original: number;
      switch (this.config.predictionType) {
        case 'epsilon':
          original = x - sigma * m;
          break;
        case 'v_prediction':
          original = m * vOut + x * vScale;
          break;
        case 'sample':
          original = m;
          break;
      }
      const derivative = (x - original) / sigma;
      out[i] = x + derivative * dt;
    }
    if (sigmaUp > 0) {
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + random.nextNormal() * sigmaUp;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    requireSameLength(noise, original, 'noise');
    const sigma = this.sigmaAt(stepIndex);
    return original.map((v, i) => v + noise[i]! * sigma);
  }

  private sigmaAt(stepIndex: number): number {
    if (!(stepIndex >= 0 && stepIndex < this.timesteps.length)) {
      throw new Error(`scheduler: step index ${stepIndex} out of range 0..${this.timesteps.length - 1} (call setTimesteps first)`);
    }
    return this.sigmas[stepIndex]!;
  }
}
