import { GraphBuilder, type Value } from '../graph';
import { gradients } from '../autodiff';
import { emitAdam } from '../train/optimizers';
import type { StepProgram } from '../runtime';
import { conceptTokensShape, discriminatorParameters, generatorParameters, type DiscriminatorConfig, type GeneratorConfig, type LoraPlacement } from './config';
import { buildDiscriminator, buildGenerator } from './generator';
import { loraNames } from './lora';
import { ganDiscriminatorLoss, ganGeneratorLoss, l1Loss, mean } from '../train/losses';

/**
 * Compiles one E2GAN training iteration into ONE ONNX graph: generator forward, discriminator on real and
 * generated pairs, generator loss (adversarial + λ·L1) and discriminator loss, the gradients of each loss
 * with respect to its own network only (the generator's fake reaches the D loss but no G gradient is asked of
 * it, which is the usual detach), and Adam updates for both. Parameters and moments are state that the
 * runtime feeds back each step, so G and D steps cost one session run.
 *
 * The same compiler serves concept fine-tuning (one token set, LoRA or full) and multi-concept base
 * pre-training (`concepts`: a table of per-concept tokens [C, T, D] picked by a one-hot CONCEPT_INPUT). The
 * picked row gets the only non-zero token gradient, but Adam's momentum would still move the other rows, so the
 * table (and its moments) are blended back: row_c' = row_c + onehot_c · (adam(row_c) - row_c). Rows of concepts
 * not in the batch therefore stay bit-identical, which the tests check.
 */
export type TrainMode = 'lora' | 'full' | 'scratch';
export type GanLoss = 'lsgan' | 'hinge';

export interface GanStepConfig {
  readonly generator: GeneratorConfig;
  readonly discriminator: DiscriminatorConfig;
  readonly batch: number;
  readonly mode: TrainMode;
  /** LoRA layers (mode 'lora' only). */
  readonly placement: readonly LoraPlacement[];
  readonly ganLoss: GanLoss;
  /** Weight of the L1 reconstruction term (pix2pix uses 100). */
  readonly l1Weight: number;
  /** Weight of the adversarial term in the generator loss (0 turns the run into pure L1 regression). */
  readonly adversarialWeight: number;
  /** Discriminator learning rate = generator learning rate * this. */
  readonly discriminatorLrRatio: number;
  readonly clipGradNorm?: number;
  /**
   * Weight of the discriminator feature-matching term in the generator loss (pix2pixHD); 0 = off. When absent
   * the step neither computes the term nor reports the `feature_matching` metric (base pre-training).
   */
  readonly featureMatchingWeight?: number;
  /**
   * Weight of an edge term in the generator loss: the mean absolute difference of the horizontal and vertical
   * pixel differences of the generated image and the target, L1 on image gradients (0 or absent = off). It
   * weighs lines and texture, which plain L1 averages away.
   */
  readonly edgeWeight?: number;
  /**
   * Base pre-training: train a token table of this many concepts, one row picked per step by CONCEPT_INPUT,
   * instead of one concept's tokens. Absent for concept fine-tuning.
   */
  readonly concepts?: number;
  /**
   * Keep the exponential moving average of the generator's trained tensors as step state, updated in the
   * graph (`ema.<name>`; the decay is the data input EMA_DECAY_INPUT), instead of reading the weights back
   * after every step to average them outside.
   */
  readonly emaInGraph?: boolean;
}

export interface CompiledGanStep {
  readonly program: StepProgram;
  /** Trainable generator tensors (LoRA factors or full weights, plus concept tokens), by state input name. */
  readonly generatorTrainables: readonly string[];
  readonly discriminatorTrainables: readonly string[];
  /** Graph inputs for the Adam moments, in state order. */
  readonly momentInputs: readonly string[];
  /** Data input carrying the number of steps already done (for Adam's bias correction after a resume). */
  readonly stepOffsetInput: string;
  /** emaInGraph: state input of each generator trainable's moving average, by trainable name (else empty). */
  readonly emaInputs: ReadonlyMap<string, string>;
  /** State input of the trained tokens: TOKENS_NAME, or TOKEN_TABLE_NAME with `concepts`. */
  readonly tokensInput: string;
}

/** The run settings a GAN step is compiled from (fields of the trainer's TrainSettings). */
export interface GanStepSettings {
  readonly batch: number;
  readonly mode: TrainMode;
  readonly ganLoss: GanLoss;
  readonly l1Weight: number;
  readonly adversarialWeight: number;
  readonly discriminatorLrRatio: number;
  readonly featureMatchingWeight?: number;
  readonly edgeWeight?: number;
}

/** Scalar data input of the in-graph EMA: this step's decay (schedule.ts emaDecayAt of the step being taken). */
export const EMA_DECAY_INPUT = 'ema_decay';
export const emaStateName = (trainable: string): string => `ema.${trainable}`;

/** Gradient-norm clip of every training run (G and D each). */
export const RUN_CLIP_GRAD_NORM = 10;

/**
 * The step configuration of a training run: what trainer.ts compiles, and what bench:train-step measures,
 * so the benchmark times exactly the trainer's graph.
 */
export function ganStepConfigFor(
  settings: GanStepSettings,
  models: { generatorConfig: GeneratorConfig; discriminatorConfig: DiscriminatorConfig; placement: readonly LoraPlacement[] },
): GanStepConfig {
  return {
    generator: models.generatorConfig,
    discriminator: models.discriminatorConfig,
    batch: settings.batch,
    mode: settings.mode,
    placement: models.placement,
    ganLoss: settings.ganLoss,
    l1Weight: settings.l1Weight,
    adversarialWeight: settings.adversarialWeight,
    discriminatorLrRatio: settings.discriminatorLrRatio,
    clipGradNorm: RUN_CLIP_GRAD_NORM,
    featureMatchingWeight: settings.featureMatchingWeight ?? 0,
    ...(settings.edgeWeight ? { edgeWeight: settings.edgeWeight } : {}),
    emaInGraph: true,
  };
}

export const TOKENS_NAME = 'concept.tokens';
/** Base pre-training's per-concept token table [C, T, D] and the one-hot data input that picks a row. */
export const TOKEN_TABLE_NAME = 'concept.token_table';
export const CONCEPT_INPUT = 'concept';
/** Metrics of every step; `feature_matching` is added when the step has a featureMatchingWeight. */
export const BASE_METRICS = ['loss_g', 'loss_d', 'l1', 'adv_g', 'grad_norm_g', 'grad_norm_d'] as const;
export const METRICS = [...BASE_METRICS, 'feature_matching'] as const;

/** Run settings a base pre-training step is compiled from (fields of base-trainer.ts BaseTrainSettings). */
export interface BaseStepSettings {
  readonly batch: number;
  readonly ganLoss: GanLoss;
  readonly l1Weight: number;
  readonly adversarialWeight: number;
  readonly discriminatorLrRatio: number;
}

/** The step configuration of a base pre-training run: the whole generator trunk plus a token table. */
export function baseStepConfigFor(
  settings: BaseStepSettings,
  models: { generatorConfig: GeneratorConfig; discriminatorConfig: DiscriminatorConfig; concepts: number },
): GanStepConfig {
  return {
    generator: models.generatorConfig,
    discriminator: models.discriminatorConfig,
    batch: settings.batch,
    mode: 'full',
    placement: [],
    concepts: models.concepts,
    ganLoss: settings.ganLoss,
    l1Weight: settings.l1Weight,
    adversarialWeight: settings.adversarialWeight,
    discriminatorLrRatio: settings.discriminatorLrRatio,
    clipGradNorm: RUN_CLIP_GRAD_NORM,
  };
}

export function compileGanStep(
  config: GanStepConfig,
  /**
   * Current values of every generator weight (+ LoRA factors in lora mode) and discriminator weight, and the
   * tokens: one concept's [T, D], or the [concepts, T, D] table with `concepts`.
   */
  weights: { generator: ReadonlyMap<string, Float32Array>; discriminator: ReadonlyMap<string, Float32Array>; tokens: Float32Array },
): CompiledGanStep {
  const { generator: gc, discriminator: dc, batch: n } = config;
  const concepts = config.concepts;
  const [t, d] = conceptTokensShape(gc);
  if (concepts !== undefined) {
    if (!Number.isInteger(concepts) || concepts < 1) throw new Error(`base step: expected at least one concept, got ${concepts}`);
    if (weights.tokens.length !== concepts * t * d) {
      throw new Error(`base step: token table has ${weights.tokens.length} values, expected [${concepts}, ${t}, ${d}]`);
    }
  }
  const g = new GraphBuilder(concepts === undefined ? 'e2gan_train_step' : 'e2gan_base_train_step');
  const imageShape = [n, gc.inChannels, gc.height, gc.width];
  const input = g.input('input', 'float32', imageShape);
  const target = g.input('target', 'float32', [n, gc.outChannels, gc.height, gc.width]);
  const conceptOneHot = concepts === undefined ? undefined : g.input(CONCEPT_INPUT, 'float32', [concepts]);
  const lr = g.input('learning_rate', 'float32', []);
  const stepRaw = g.input('step', 'float32', []);
  const stepOffset = g.input('step_offset', 'float32', []);
  const step = g.add(stepRaw, stepOffset);

  const loraWeights = new Set(config.mode === 'lora' ? config.placement.flatMap((p) => Object.values(loraNames(p.layer))) : []);
  const trainsAllOfG = config.mode !== 'lora';
  let tokens: Value;
  let rowMask: Value | undefined;
  let tokensInput: string;
  if (conceptOneHot) {
    const table = g.parameter(TOKEN_TABLE_NAME, weights.tokens, [concepts!, t, d], { trainable: true });
    rowMask = g.reshape(conceptOneHot, [concepts!, 1, 1]);
    tokens = g.reduceSum(g.mul(table, rowMask), [0], false);
    tokensInput = TOKEN_TABLE_NAME;
  } else {
    tokens = g.parameter(TOKENS_NAME, weights.tokens, [t, d], { trainable: true });
    tokensInput = TOKENS_NAME;
  }
  const fake = buildGenerator(g, gc, input, tokens, {
    weights: weights.generator,
    trainable: (name) => trainsAllOfG || loraWeights.has(name),
    ...(config.mode === 'lora' ? { lora: config.placement } : {}),
  });
  // D is built twice over the same parameters; the second build must reuse the first one's Values.
  const dValues = new Map<string, Value>();
  const dSource = { weights: weights.discriminator, trainable: () => true };
  const realFeatures: Value[] = [];
  const fakeFeatures: Value[] = [];
  const realLogits = buildDiscriminator(g, dc, input, target, dSource, undefined, dValues, realFeatures);
  const fakeLogits = buildDiscriminator(g, dc, input, fake, dSource, undefined, dValues, fakeFeatures);

  const advG = ganGeneratorLoss(g, config.ganLoss, fakeLogits);
  const lossD = ganDiscriminatorLoss(g, config.ganLoss, realLogits, fakeLogits);
  const l1 = l1Loss(g, fake, target);
  let lossG = g.add(g.mul(advG, config.adversarialWeight), g.mul(l1, config.l1Weight));
  if (config.edgeWeight) lossG = g.add(lossG, g.mul(edgeLoss(g, fake, target), config.edgeWeight));
  const fmWeight = config.featureMatchingWeight ?? 0;
  let featureMatching: Value | undefined = config.featureMatchingWeight !== undefined ? g.scalar(0) : undefined;
  if (fmWeight > 0) {
    // Mean L1 between D's hidden activations on real and generated pairs, averaged over layers. Only G
    // gradients are taken of lossG, so the real-pair features act as constants.
    const terms = realFeatures.map((real, i) => mean(g, g.abs(g.sub(fakeFeatures[i]!, real))));
    featureMatching = g.mul(
      terms.reduce((a, b) => g.add(a, b)),
      1 / terms.length,
    );
    lossG = g.add(lossG, g.mul(featureMatching, fmWeight));
  }

  const gParams = g.trainables().filter((v) => !v.name.startsWith('discriminator.'));
  const dParams = [...dValues.values()];
  const gGrads = gradients(g, lossG, gParams);
  const dGrads = gradients(g, lossD, dParams);
  const adamOptions = config.clipGradNorm !== undefined ? { clipGradNorm: config.clipGradNorm } : {};
  const gUpdate = emitAdam(
    g,
    gParams.map((param, i) => ({ param, grad: gGrads[i]! })),
    lr,
    step,
    adamOptions,
  );
  const dUpdate = emitAdam(
    g,
    dParams.map((param, i) => ({ param, grad: dGrads[i]! })),
    g.mul(lr, config.discriminatorLrRatio),
    step,
    adamOptions,
  );

  // Only the picked row of a token table (and of its moments) takes the update; see the note at the top.
  const onlyPickedRow = (old: Value, next: Value): Value => g.add(old, g.mul(rowMask!, g.sub(next, old)));
  const state: StepProgram['state'] = [];
  const momentInputs: string[] = [];
  for (const s of [...gUpdate.states, ...dUpdate.states]) {
    const isTable = rowMask !== undefined && s.param.name === TOKEN_TABLE_NAME;
    const pick = (old: Value, next: Value): Value => (isTable ? onlyPickedRow(old, next) : next);
    const shape = [...s.param.shape];
    state.push({ input: s.param.name, output: g.output(pick(s.param, s.newParam), `${s.param.name}.next`).name, shape, init: 'given' });
    // Moments are 'given' too (zeros on a fresh run) so a resume can restore them.
    for (const [moment, next] of [
      [s.m, s.newM],
      [s.v, s.newV],
    ] as const) {
      state.push({ input: moment.name, output: g.output(pick(moment, next), `${moment.name}.next`).name, shape, init: 'given' });
      momentInputs.push(moment.name);
    }
  }
  const emaInputs = new Map<string, string>();
  const data: StepProgram['data'] = [
    { name: 'input', shape: imageShape },
    { name: 'target', shape: [n, gc.outChannels, gc.height, gc.width] },
    ...(concepts !== undefined ? [{ name: CONCEPT_INPUT, shape: [concepts] }] : []),
    { name: 'step_offset', shape: [] },
  ];
  if (config.emaInGraph) {
    // ema' = decay·ema + (1 - decay)·p', the same arithmetic as schedule.ts updateEma, on the updated weights.
    const decay = g.input(EMA_DECAY_INPUT, 'float32', []);
    const keep = g.sub(1, decay);
    for (const s of gUpdate.states) {
      const average = g.input(emaStateName(s.param.name), 'float32', s.param.shape);
      const next = g.add(g.mul(average, decay), g.mul(s.newParam, keep));
      state.push({ input: average.name, output: g.output(next, `${average.name}.next`).name, shape: [...s.param.shape], init: 'given' });
      emaInputs.set(s.param.name, average.name);
    }
    data.push({ name: EMA_DECAY_INPUT, shape: [] });
  }
  g.output(lossG, 'loss_g');
  g.output(lossD, 'loss_d');
  g.output(l1, 'l1');
  g.output(advG, 'adv_g');
  g.output(gUpdate.gradNorm, 'grad_norm_g');
  g.output(dUpdate.gradNorm, 'grad_norm_d');
  if (featureMatching) g.output(g.identity(featureMatching), 'feature_matching');
  return {
    program: {
      model: g.build({ producerName: 'e2gan-studio' }),
      state,
      data,
      learningRateInput: 'learning_rate',
      stepInput: 'step',
      metrics: featureMatching ? [...METRICS] : [...BASE_METRICS],
    },
    generatorTrainables: gParams.map((v) => v.name),
    discriminatorTrainables: dParams.map((v) => v.name),
    momentInputs,
    stepOffsetInput: 'step_offset',
    emaInputs,
    tokensInput,
  };
}

/** Names of the generator tensors a mode trains (besides the concept tokens). */
export function trainableGeneratorNames(config: GeneratorConfig, mode: TrainMode, placement: readonly LoraPlacement[]): string[] {
  if (mode === 'lora') return placement.flatMap((p) => [loraNames(p.layer).a, loraNames(p.layer).b]);
  return generatorParameters(config).map((p) => p.name);
}

export function discriminatorNames(config: DiscriminatorConfig): string[] {
  return discriminatorParameters(config).map((p) => p.name);
}

/**
 * Mean |∂x(fake − target)| + mean |∂y(fake − target)| with forward pixel differences: L1 between the two images'
 * gradients (the difference is linear, so it is taken once). Zero when the images differ by a constant.
 */
export function edgeLoss(g: GraphBuilder, fake: Value, target: Value): Value {
  const d = g.sub(fake, target);
  const [, , h, w] = d.shape as [number, number, number, number];
  const dx = g.sub(g.slice(d, { starts: [1], ends: [w], axes: [3] }), g.slice(d, { starts: [0], ends: [w - 1], axes: [3] }));
  const dy = g.sub(g.slice(d, { starts: [1], ends: [h], axes: [2] }), g.slice(d, { starts: [0], ends: [h - 1], axes: [2] }));
  return g.add(mean(g, g.abs(dx)), mean(g, g.abs(dy)));
}
