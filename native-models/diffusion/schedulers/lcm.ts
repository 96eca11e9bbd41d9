import type { SeededRandom } from '../random';
import type { SchedulerConfig } from './config';
import { makeAlphasCumprod, makeBetas } from './noise-schedule';
import { addNoiseAtAlpha, predictOriginalAndEpsilon, requireSameLength, timestepAt, type Scheduler } from './scheduler';

/**
 * Latent Consistency Model multistep sampler (Luo et al. 2023) as diffusers' LCMScheduler: each step jumps to a
 * consistency-function estimate of x0 and re-noises it to the next timestep (no noise after the last step).
 */
export class LcmScheduler implements Scheduler {
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly finalAlphaCumprod: number;

  constructor(readonly config: SchedulerConfig) {
    this.alphasCumprod = makeAlphasCumprod(makeBetas(config));
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0]!;
  }

  /** `strength` < 1 (img2img) restricts the distillation timesteps to the lower part of the schedule, as diffusers does. */
  setTimesteps(numSteps: number, options: { strength?: number } = {}): void {
    const strength = options.strength ?? 1;
    const { numTrainTimesteps, originalInferenceSteps } = this.config;
    const k = Math.floor(numTrainTimesteps / originalInferenceSteps);
    const available = Math.floor(originalInferenceSteps * strength);
    if (!Number.isInteger(numSteps) || numSteps < 1 || numSteps > available) {
      throw new Error(`LCM scheduler: steps must be an integer in 1..${available} (original_inference_steps x strength), got ${numSteps}`);
    }
    // The distillation schedule, descending: k*i - 1 for i = available..1.
    const origin: number[] = [];
    for (let i = available; i >= 1; i--) origin.push(i * k - 1);
    this.timesteps = [];
    for (let i = 0; i < numSteps; i++) this.timesteps.push(origin[Math.floor((i * origin.length) / numSteps)]!);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, random: SeededRandom): Float32Array {
    requireSameLength(modelOutput, sample, 'model output');
    const t = timestepAt(this.timesteps, stepIndex);
    const isLast = stepIndex === this.timesteps.length - 1;
    const prevT = isLast ? t : this.timesteps[stepIndex + 1]!;
    const alphaProd = this.alphasCumprod[t]!;
    const alphaProdPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod;
    // Boundary condition c_skip(0)=1, c_out(0)=0 so the consistency function is the identity at t=0.
    const sigmaData = 0.5;
    const scaled = t * this.config.timestepScaling;
    const cSkip = sigmaData ** 2 / (scaled ** 2 + sigmaData ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + sigmaData ** 2);
    const range = this.config.clipSampleRange;
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      let { original } = predictOriginalAndEpsilon(this.config.predictionType, modelOutput[i]!, sample[i]!, alphaProd);
      if (this.config.clipSample) original = Math.min(Math.max(original, -range), range);
      out[i] = cOut * original + cSkip * sample[i]!;
    }
    if (!isLast) {
      const a = Math.sqrt(alphaProdPrev);
      const b = Math.sqrt(1 - alphaProdPrev);
      for (let i = 0; i < out.length; i++) out[i] = a * out[i]! + b * random.nextNormal();
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    return addNoiseAtAlpha(original, noise, this.alphasCumprod[timestepAt(this.timesteps, stepIndex)]!);
  }
}
