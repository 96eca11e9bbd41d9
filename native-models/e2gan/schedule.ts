/** Learning-rate schedules: linear warm-up, then constant, linear or cosine decay to minFactor * base. */
export interface LrSchedule {
  readonly base: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly decay: 'constant' | 'linear' | 'cosine';
  /** Final lr as a fraction of base (default 0). */
  readonly minFactor?: number;
}

/** Learning rate used for step `step` (0-based). */
export function learningRateAt(schedule: LrSchedule, step: number): number {
  const { base, warmupSteps, totalSteps, decay } = schedule;
  if (warmupSteps > 0 && step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  if (decay === 'constant') return base;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - warmupSteps) / span));
  const floor = base * (schedule.minFactor ?? 0);
  const shape = decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return floor + (base - floor) * shape;
}

/** Exponential moving average of weights, updated in place: ema = decay * ema + (1 - decay) * value. */
export function updateEma(ema: Float32Array, value: Float32Array, decay: number): void {
  if (ema.length !== value.length) throw new Error(`EMA: length ${ema.length} differs from the weight's ${value.length}`);
  const keep = 1 - decay;
  for (let i = 0; i < ema.length; i++) ema[i] = decay * ema[i]! + keep * value[i]!;
}

/**
 * EMA decay with the usual warm-up (min(decay, (1 + step) / (10 + step))): early on the average follows the
 * weights closely instead of staying anchored at the random initial LoRA.
 */
export function emaDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}
