/**
 * Compiles a training step ahead of time into one plain ONNX inference graph: the forward pass already in
 * the builder, reverse-mode gradients (native-models/autodiff) and the optimizer update. Outputs are the new
 * parameters, the new moments and the losses; TrainState (native-models/runtime) feeds the new state back
 * as the next step's inputs.
 */
import { gradients, type GradientOptions } from '../autodiff';
import { graphHash, type GraphBuilder, type Value } from '../graph';
import type { StepProgram } from '../runtime/train-state';
import { emitAdam, type AdamOptions } from './optimizers';

/**
 * Computes a parameter's gradient from the gradients of values it produces instead of through the generic
 * rules (e.g. LoRA's conv A from the gradient of its rank-r output). dParam = Σ compute(d via).
 * The autodiff is asked for d(via) and never differentiates with respect to `param` itself.
 */
export interface GradientShortcut {
  param: Value;
  uses: { via: Value; compute: (gradVia: Value) => Value }[];
}

export interface TrainStepDefinition {
  /** Holds the forward graph; compileTrainStep adds to it, so do not reuse it afterwards. */
  builder: GraphBuilder;
  /** Scalar value to minimise. */
  loss: Value;
  /** Extra scalars to report every step (e.g. the parts of a weighted loss), by output name. */
  metrics?: Record<string, Value>;
  /** Parameters to train; default: every trainable parameter of the builder. */
  trainables?: readonly Value[];
  optimizer?: AdamOptions;
  gradients?: GradientOptions;
  /** Custom gradient paths for some trainables (see GradientShortcut); e.g. LoraGraph.gradientShortcuts(). */
  gradientShortcuts?: readonly GradientShortcut[];
  /** Also output each raw gradient as `<param>.grad` (for checks; costs memory traffic). */
  exposeGradients?: boolean;
}

export interface CompiledTrainStep {
  program: StepProgram;
  /** Initial values of the trained parameters, by input name. */
  initialState: Record<string, Float32Array>;
  parameters: { name: string; shape: number[] }[];
  /** sha256 of the model bytes: the session-cache key. */
  hash: string;
  /** Name of the loss output (also the first metric). */
  lossOutput: string;
}

export const LEARNING_RATE_INPUT = 'train.learning_rate';
export const STEP_INPUT = 'train.step';
export const LOSS_OUTPUT = 'loss';
export const GRAD_NORM_OUTPUT = 'grad_norm';

function trainableGradients(
  b: GraphBuilder,
  loss: Value,
  trainables: readonly Value[],
  shortcuts: readonly GradientShortcut[],
  options: GradientOptions,
): Value[] {
  const byParam = new Map<Value, GradientShortcut>();
  for (const shortcut of shortcuts) {
    if (!trainables.includes(shortcut.param)) throw new Error(`compileTrainStep: gradient shortcut for '${shortcut.param.name}', which is not trained`);
    if (byParam.has(shortcut.param)) throw new Error(`compileTrainStep: two gradient shortcuts for '${shortcut.param.name}'`);
    if (shortcut.uses.length === 0) throw new Error(`compileTrainStep: gradient shortcut for '${shortcut.param.name}' has no uses`);
    byParam.set(shortcut.param, shortcut);
  }
  const direct = trainables.filter((p) => !byParam.has(p));
  const vias = [...byParam.values()].flatMap((s) => s.uses.map((u) => u.via));
  const all = gradients(b, loss, [...direct, ...vias], options);
  const directGrads = new Map(direct.map((p, i) => [p, all[i]!]));
  const viaGrads = new Map(vias.map((v, i) => [v, all[direct.length + i]!]));
  return trainables.map((p) => {
    const shortcut = byParam.get(p);
    if (!shortcut) return directGrads.get(p)!;
    return shortcut.uses.map((u) => u.compute(viaGrads.get(u.via)!)).reduce((acc, g) => b.add(acc, g));
  });
}

export function compileTrainStep(definition: TrainStepDefinition): CompiledTrainStep {
  const b = definition.builder;
  const { loss } = definition;
  if (loss.shape.length !== 0 || loss.dtype !== 'float32') {
    throw new Error(`compileTrainStep: loss '${loss.name}' must be a float32 scalar, got ${loss.dtype}[${loss.shape.join(', ')}]`);
  }
  const trainables = [...(definition.trainables ?? b.trainables())];
  if (trainables.length === 0) throw new Error('compileTrainStep: nothing to train (no trainable parameters in the builder)');
  for (const p of trainables) {
    if (!b.isTrainable(p)) throw new Error(`compileTrainStep: '${p.name}' is not a trainable parameter of the builder`);
    if (p.dtype !== 'float32') throw new Error(`compileTrainStep: parameter '${p.name}' is ${p.dtype}; training runs in float32`);
  }
  // Inputs present before the optimizer adds moments: everything not trained is fed per step.
  const trained = new Set(trainables);
  const frozenInputs = b.inputs.filter((v) => !trained.has(v));
  const untrainedParams = frozenInputs.filter((v) => b.isTrainable(v));
  if (untrainedParams.length) {
    throw new Error(
      `compileTrainStep: trainable parameters not in 'trainables' would have to be fed every step: ${untrainedParams.map((v) => v.name).join(', ')} ` +
        `(make them frozen initializers or train them)`,
    );
  }
  for (const v of frozenInputs) {
    if (v.dtype !== 'float32') throw new Error(`compileTrainStep: data input '${v.name}' is ${v.dtype}; StepProgram data inputs are float32`);
  }

  if (definition.gradients?.recompute && definition.gradientShortcuts?.length) {
    // A shortcut's compute() reads forward activations directly (e.g. LoRA's conv input), which would keep
    // exactly the tensors alive that recompute frees.
    throw new Error(
      'compileTrainStep: gradients.recompute cannot be combined with gradientShortcuts (their gradients read the forward ' +
        'activations that recompute frees); pass gradientShortcuts: [] to use the generic rules with recompute',
    );
  }
  const grads = b.scope('backward', () => trainableGradients(b, loss, trainables, definition.gradientShortcuts ?? [], definition.gradients ?? {}));
  const lr = b.input(LEARNING_RATE_INPUT, 'float32', []);
  const step = b.input(STEP_INPUT, 'float32', []);
  const update = emitAdam(
    b,
    trainables.map((param, i) => ({ param, grad: grads[i]! })),
    lr,
    step,
    definition.optimizer ?? {},
  );

  const state: StepProgram['state'] = [];
  for (const s of update.states) {
    b.output(s.newParam, `${s.param.name}.next`);
    b.output(s.newM, `${s.m.name}.next`);
    b.output(s.newV, `${s.v.name}.next`);
    state.push({ input: s.param.name, output: `${s.param.name}.next`, shape: [...s.param.shape], init: 'given' });
    state.push({ input: s.m.name, output: `${s.m.name}.next`, shape: [...s.m.shape], init: 'zeros' });
    state.push({ input: s.v.name, output: `${s.v.name}.next`, shape: [...s.v.shape], init: 'zeros' });
  }
  if (definition.exposeGradients) trainables.forEach((p, i) => b.output(grads[i]!, `${p.name}.grad`));
  const metrics = [LOSS_OUTPUT, GRAD_NORM_OUTPUT];
  b.output(loss, LOSS_OUTPUT);
  b.output(update.gradNorm, GRAD_NORM_OUTPUT);
  for (const [name, value] of Object.entries(definition.metrics ?? {})) {
    if (value.shape.length !== 0) throw new Error(`compileTrainStep: metric '${name}' must be a scalar, got [${value.shape.join(', ')}]`);
    b.output(value, name);
    metrics.push(name);
  }

  const model = b.build();
  const initialState: Record<string, Float32Array> = {};
  for (const p of trainables) initialState[p.name] = Float32Array.from(b.initialValue(p) as Float32Array);
  return {
    program: {
      model,
      state,
      data: frozenInputs.map((v) => ({ name: v.name, shape: [...v.shape] })),
      learningRateInput: LEARNING_RATE_INPUT,
      stepInput: STEP_INPUT,
      metrics,
    },
    initialState,
    parameters: trainables.map((p) => ({ name: p.name, shape: [...p.shape] })),
    hash: graphHash(model),
    lossOutput: LOSS_OUTPUT,
  };
}
