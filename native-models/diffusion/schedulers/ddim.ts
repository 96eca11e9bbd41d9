import type { SeededRandom } from '../random';
import type { SchedulerConfig } from './config';
import { makeAlphasCumprod, makeBetas, roundHalfEven, spaceTimesteps } from './noise-schedule';
import { addNoiseAtAlpha, predictOriginalAndEpsilon, requireSameLength, timestepAt, type Scheduler } from './scheduler';

/** DDIM (Song et al. 2020, eq. 12) as diffusers' DDIMScheduler, with eta for stochasticity. */
export class DdimScheduler implements Scheduler {
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly finalAlphaCumprod: number;

  constructor(
    readonly config: SchedulerConfig,
    private readonly eta = 0,
  ) {
    this.alphasCumprod = makeAlphasCumprod(makeBetas(config));
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0]!;
  }

  setTimesteps(numSteps: number): void {
    const { timestepSpacing, numTrainTimesteps, stepsOffset } = this.config;
    this.timesteps = spaceTimesteps(timestepSpacing, numTrainTimesteps, numSteps, stepsOffset).map(roundHalfEven);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, random: SeededRandom): Float32Array {
    requireSameLength(modelOutput, sample, 'model output');
    const t = timestepAt(this.timesteps, stepIndex);
    const prevT = t - Math.floor(this.config.numTrainTimesteps / this.timesteps.length);
    const alphaProd = this.alphasCumprod[t]!;
    const alphaProdPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod;
    const variance = ((1 - alphaProdPrev) / (1 - alphaProd)) * (1 - alphaProd / alphaProdPrev);
    const std = this.eta * Math.sqrt(variance);
    const directionScale = Math.sqrt(Math.max(1 - alphaProdPrev - std * std, 0));
    const sqrtAlphaPrev = Math.sqrt(alphaProdPrev);
    const range = this.config.clipSampleRange;
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const predicted = predictOriginalAndEpsilon(this.config.predictionType, modelOutput[i]!, sample[i]!, alphaProd);
      // Like diffusers (use_clipped_model_output=False), only x0 is clipped; epsilon keeps the model's value.
      const original = this.config.clipSample ? Math.min(Math.max(predicted.original, -range), range) : predicted.original;
      const epsilon = predicted.epsilon;
      out[i] = sqrtAlphaPrev * original + directionScale * epsilon;
    }
    if (std > 0) {
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + std * random.nextNormal();
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    return addNoiseAtAlpha(original, noise, this.alphasCumprod[timestepAt(this.timesteps, stepIndex)]!);
  }
}
