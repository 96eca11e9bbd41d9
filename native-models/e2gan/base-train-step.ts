import { GraphBuilder, type Value } from '../graph';
import { gradients } from '../autodiff';
import { emitAdam } from '../train/optimizers';
import type { StepProgram } from '../runtime';
import { conceptTokensShape, type DiscriminatorConfig, type GeneratorConfig } from './config';
import { buildDiscriminator, buildGenerator } from './generator';
import type { GanLoss } from './train-step';
import { ganDiscriminatorLoss, ganGeneratorLoss, l1Loss } from '../train/losses';

/**
 * One multi-concept base pre-training iteration as ONE ONNX graph: the whole generator trunk and a table of
 * per-concept tokens [C, T, D] are trainable; a one-hot `concept` input picks the row the batch was made
 * with. The picked row gets the only non-zero token gradient, but Adam's momentum would still move the other
 * rows, so the table (and its moments) are blended back: row_c' = row_c + onehot_c · (adam(row_c) - row_c).
 * Rows of concepts not in the batch therefore stay bit-identical, which the tests check.
 */
export interface BaseStepConfig {
  readonly generator: GeneratorConfig;
  readonly discriminator: DiscriminatorConfig;
  readonly batch: number;
  readonly concepts: number;
  readonly ganLoss: GanLoss;
  readonly l1Weight: number;
  readonly adversarialWeight: number;
  readonly discriminatorLrRatio: number;
  readonly clipGradNorm?: number;
}

export interface CompiledBaseStep {
  readonly program: StepProgram;
  readonly generatorTrainables: readonly string[];
  readonly discriminatorTrainables: readonly string[];
  readonly momentInputs: readonly string[];
}

export const TOKEN_TABLE_NAME = 'concept.token_table';
export const CONCEPT_INPUT = 'concept';
export const BASE_METRICS = ['loss_g', 'loss_d', 'l1', 'adv_g', 'grad_norm_g', 'grad_norm_d'] as const;

export function compileBaseStep(
  config: BaseStepConfig,
  weights: { generator: ReadonlyMap<string, Float32Array>; discriminator: ReadonlyMap<string, Float32Array>; tokenTable: Float32Array },
): CompiledBaseStep {
  const { generator: gc, discriminator: dc, batch: n, concepts } = config;
  if (!Number.isInteger(concepts) || concepts < 1) throw new Error(`base step: expected at least one concept, got ${concepts}`);
  const [t, d] = conceptTokensShape(gc);
  if (weights.tokenTable.length !== concepts * t * d) {
    throw new Error(`base step: token table has ${weights.tokenTable.length} values, expected [${concepts}, ${t}, ${d}]`);
  }
  const g = new GraphBuilder('e2gan_base_train_step');
  const imageShape = [n, gc.inChannels, gc.height, gc.width];
  const input = g.input('input', 'float32', imageShape);
  const target = g.input('target', 'float32', [n, gc.outChannels, gc.height, gc.width]);
  const conceptOneHot = g.input(CONCEPT_INPUT, 'float32', [concepts]);
  const lr = g.input('learning_rate', 'float32', []);
  const stepRaw = g.input('step', 'float32', []);
  const stepOffset = g.input('step_offset', 'float32', []);
  const step = g.add(stepRaw, stepOffset);

  const table = g.parameter(TOKEN_TABLE_NAME, weights.tokenTable, [concepts, t, d], { trainable: true });
  const rowMask = g.reshape(conceptOneHot, [concepts, 1, 1]);
  const tokens = g.reduceSum(g.mul(table, rowMask), [0], false);
  const fake = buildGenerator(g, gc, input, tokens, { weights: weights.generator, trainable: () => true });
  const dValues = new Map<string, Value>();
  const dSource = { weights: weights.discriminator, trainable: () => true };
  const realLogits = buildDiscriminator(g, dc, input, target, dSource, undefined, dValues);
  const fakeLogits = buildDiscriminator(g, dc, input, fake, dSource, undefined, dValues);

  const advG = ganGeneratorLoss(g, config.ganLoss, fakeLogits);
  const lossD = ganDiscriminatorLoss(g, config.ganLoss, realLogits, fakeLogits);
  const l1 = l1Loss(g, fake, target);
  const lossG = g.add(g.mul(advG, config.adversarialWeight), g.mul(l1, config.l1Weight));

  const gParams = g.trainables().filter((v) => !v.name.startsWith('discriminator.'));
  const dParams = [...dValues.values()];
  const gGrads = gradients(g, lossG, gParams);
  const dGrads = gradients(g, lossD, dParams);
  const adamOptions = config.clipGradNorm !== undefined ? { clipGradNorm: config.clipGradNorm } : {};
  const gUpdate = emitAdam(g, gParams.map((param, i) => ({ param, grad: gGrads[i]! })), lr, step, adamOptions);
  const dUpdate = emitAdam(g, dParams.map((param, i) => ({ param, grad: dGrads[i]! })), g.mul(lr, config.discriminatorLrRatio), step, adamOptions);

  const onlyPickedRow = (old: Value, next: Value): Value => g.add(old, g.mul(rowMask, g.sub(next, old)));
  const state: StepProgram['state'] = [];
  const momentInputs: string[] = [];
  for (const s of [...gUpdate.states, ...dUpdate.states]) {
    const isTable = s.param.name === TOKEN_TABLE_NAME;
    const pick = (old: Value, next: Value): Value => (isTable ? onlyPickedRow(old, next) : next);
    const shape = [...s.param.shape];
    state.push({ input: s.param.name, output: g.output(pick(s.param, s.newParam), `${s.param.name}.next`).name, shape, init: 'given' });
    for (const [moment, next] of [[s.m, s.newM], [s.v, s.newV]] as const) {
      state.push({ input: moment.name, output: g.output(pick(moment, next), `${moment.name}.next`).name, shape, init: 'given' });
      momentInputs.push(moment.name);
    }
  }
  g.output(lossG, 'loss_g');
  g.output(lossD, 'loss_d');
  g.output(l1, 'l1');
  g.output(advG, 'adv_g');
  g.output(gUpdate.gradNorm, 'grad_norm_g');
  g.output(dUpdate.gradNorm, 'grad_norm_d');
  return {
    program: {
      model: g.build({ producerName: 'e2gan-studio' }),
      state,
      data: [
        { name: 'input', shape: imageShape },
        { name: 'target', shape: [n, gc.outChannels, gc.height, gc.width] },
        { name: CONCEPT_INPUT, shape: [concepts] },
        { name: 'step_offset', shape: [] },
      ],
      learningRateInput: 'learning_rate',
      stepInput: 'step',
      metrics: [...BASE_METRICS],
    },
    generatorTrainables: gParams.map((v) => v.name),
    discriminatorTrainables: dParams.map((v) => v.name),
    momentInputs,
  };
}
