/**
 * Optimizer updates emitted into the graph, so one session run does forward, backward and update.
 * Learning rate and step number are scalar graph inputs (schedules live outside the graph); moments are
 * graph inputs named `<param>.adam_m` / `<param>.adam_v` whose next values are graph outputs.
 */
import type { GraphBuilder, Value } from '../graph';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Weight decay coefficient; 0 disables it. */
  weightDecay?: number;
  /** 'adamw' decays the weights directly (Loshchilov & Hutter); 'adam' adds weightDecay·p to the gradient. */
  variant?: 'adam' | 'adamw';
  /** Rescale all gradients together when their global L2 norm exceeds this. */
  clipGradNorm?: number;
}

export interface ParamGrad {
  param: Value;
  grad: Value;
}

export interface AdamState {
  param: Value;
  m: Value;
  v: Value;
  newParam: Value;
  newM: Value;
  newV: Value;
}

export interface AdamUpdate {
  states: AdamState[];
  /** Global L2 norm of the gradients before clipping (a scalar), useful as a metric. */
  gradNorm: Value;
}

export const DEFAULT_ADAM: Required<Omit<AdamOptions, 'clipGradNorm'>> = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  variant: 'adamw',
};

/** sqrt(Σ_i Σ g_i²) over all gradients, as a scalar. */
export function globalNorm(b: GraphBuilder, grads: readonly Value[]): Value {
  if (grads.length === 0) throw new Error('globalNorm: no gradients');
  const squares = grads.map((g) => b.reduceSum(b.mul(g, g), undefined, false));
  const total = squares.reduce((acc, s) => b.add(acc, s));
  return b.sqrt(total);
}

/**
 * Emits Adam / AdamW with bias correction for every parameter:
 *   m' = β1 m + (1-β1) g;  v' = β2 v + (1-β2) g²
 *   p' = p - lr · (m' / (1-β1^t)) / (sqrt(v' / (1-β2^t)) + ε)  [- lr · wd · p for AdamW]
 * `lr` and `step` (t, 1-based) are float32 scalar values of the graph.
 */
export function emitAdam(b: GraphBuilder, params: readonly ParamGrad[], lr: Value, step: Value, options: AdamOptions = {}): AdamUpdate {
  const { beta1, beta2, epsilon, weightDecay, variant } = { ...DEFAULT_ADAM, ...options };
  for (const [name, value] of Object.entries({ beta1, beta2 })) {
    if (!(value >= 0 && value < 1)) throw new Error(`Adam: ${name} must be in [0, 1), got ${value}`);
  }
  if (!(epsilon > 0)) throw new Error(`Adam: epsilon must be > 0, got ${epsilon}`);
  if (!(weightDecay >= 0)) throw new Error(`Adam: weightDecay must be >= 0, got ${weightDecay}`);
  for (const { param, grad } of params) {
    if (param.shape.join(',') !== grad.shape.join(',')) {
      throw new Error(`Adam: gradient of '${param.name}' has shape [${grad.shape.join(', ')}], expected [${param.shape.join(', ')}]`);
    }
  }
  // Moment inputs are created outside the 'adam' scope so their names stay `<param>.adam_m` / `.adam_v`.
  const moments = params.map(({ param }) => ({
    m: b.input(`${param.name}.adam_m`, param.dtype, param.shape),
    v: b.input(`${param.name}.adam_v`, param.dtype, param.shape),
  }));
  return b.scope('adam', () => {
    const gradNorm = globalNorm(
      b,
      params.map((p) => p.grad),
    );
    let clipCoef: Value | null = null;
    if (options.clipGradNorm !== undefined) {
      if (!(options.clipGradNorm > 0)) throw new Error(`Adam: clipGradNorm must be > 0, got ${options.clipGradNorm}`);
      // min(1, max / (norm + 1e-6)), as torch.nn.utils.clip_grad_norm_ does.
      clipCoef = b.min(b.div(options.clipGradNorm, b.add(gradNorm, 1e-6)), 1);
    }
    const correction1 = b.sub(1, b.pow(b.scalar(beta1), step));
    const correction2 = b.sub(1, b.pow(b.scalar(beta2), step));
    const stepSize = b.div(lr, correction1);
    const states = params.map(({ param, grad }, i) => {
      const { m, v } = moments[i]!;
      let g = clipCoef ? b.mul(grad, clipCoef) : grad;
      if (variant === 'adam' && weightDecay > 0) g = b.add(g, b.mul(param, weightDecay));
      const newM = b.add(b.mul(m, beta1), b.mul(g, 1 - beta1));
      const newV = b.add(b.mul(v, beta2), b.mul(b.mul(g, g), 1 - beta2));
      const denom = b.add(b.sqrt(b.div(newV, correction2)), epsilon);
      let newParam = b.sub(param, b.mul(stepSize, b.div(newM, denom)));
      if (variant === 'adamw' && weightDecay > 0) newParam = b.sub(newParam, b.mul(b.mul(lr, weightDecay), param));
      return { param, m, v, newParam, newM, newV };
    });
    return { states, gradNorm };
  });
}
