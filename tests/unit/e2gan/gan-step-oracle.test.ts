/**
 * One compiled GAN step (compileGanStep: G and D forward, both losses, both gradients, both Adam updates in one
 * graph) against an oracle assembled from parts: a separately built graph for the generator loss (D's weights
 * baked in as constants), another for the discriminator loss (the generated image fed in as data, so it is
 * detached by construction), the losses written out here, and Adam with gradient clipping in plain TS (float64).
 * Starting Adam moments are non-zero and t = 10, so the update depends on the gradients' scale and clipping and
 * the D/G learning-rate ratio show in the numbers (a first step from zero moments would be scale-free).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { gradients } from '../../../native-models/autodiff';
import { conceptTokensShape, discriminatorForSize, generatorParameters, generatorPreset, loraPlacement } from '../../../native-models/e2gan/config';
import { buildDiscriminator, buildGenerator } from '../../../native-models/e2gan/generator';
import { initLoraWeights, loraNames } from '../../../native-models/e2gan/lora';
import { compileGanStep, TOKENS_NAME, type CompiledGanStep, type GanStepConfig } from '../../../native-models/e2gan/train-step';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights } from '../../../native-models/e2gan/weights';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { openSession, tensorFromValues, toFloat32Array, type Tensor } from '../../../native-models/runtime/index';
import { createRng } from '../../../native-models/util/rng';

const SIZE = 16;
const gc = generatorPreset('tiny', { height: SIZE, width: SIZE });
const dc = discriminatorForSize('tiny', SIZE, SIZE);
const placement = loraPlacement(gc, 2);
const IMAGE_SHAPE = [1, 3, SIZE, SIZE];
const LR = 2e-3;
const D_LR_RATIO = 3;
const STEP = 10; // Adam's t: feed step 1 with step_offset 9
const L1_WEIGHT = 10;
const ADV_WEIGHT = 0.7;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

const rng = createRng(2026);
const randomArray = (n: number, scale: number, offset = 0): Float32Array => Float32Array.from({ length: n }, () => offset + scale * rng.normal());

const base = initGeneratorWeights(gc, 1);
const lora = initLoraWeights(gc, placement, 2);
// LoRA B starts at zero, which would make every A gradient zero: give B values so both factors are tested.
for (const p of placement) {
  const b = lora.get(loraNames(p.layer).b)!;
  lora.set(loraNames(p.layer).b, randomArray(b.length, 0.05));
}
const generatorWeights = new Map([...base, ...lora]);
const discriminatorWeights = initDiscriminatorWeights(dc, 3);
const tokens = initConceptTokens(gc, 4);
const input = Float32Array.from({ length: 3 * SIZE * SIZE }, () => rng.next() * 2 - 1);
const target = Float32Array.from({ length: 3 * SIZE * SIZE }, () => rng.next() * 2 - 1);
const loraTrainables = new Set(placement.flatMap((p) => Object.values(loraNames(p.layer))));

type Arrays = Record<string, Float32Array>;

async function runGraph(builder: GraphBuilder, feeds: Record<string, Float32Array | number>, shapes: Record<string, readonly number[]>): Promise<Arrays> {
  const session = await openSession(builder.build());
  try {
    const tensors: Record<string, Tensor> = {};
    // Trainable parameters are graph inputs: feed their current values.
    for (const param of builder.trainables()) tensors[param.name] = tensorFromValues('float32', builder.initialValue(param) as Float32Array, [...param.shape]);
    for (const [name, value] of Object.entries(feeds)) {
      tensors[name] = typeof value === 'number' ? tensorFromValues('float32', [value], []) : tensorFromValues('float32', value, [...shapes[name]!]);
    }
    const out = await session.run(tensors);
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, toFloat32Array(t)]));
  } finally {
    await session.release();
  }
}

const sq = (b: GraphBuilder, x: Value): Value => b.mul(x, x);
const meanOf = (b: GraphBuilder, x: Value): Value => b.reduceMean(x, undefined, false);

/** Generator loss alone: D's weights are constants, the gradient is taken of G's LoRA factors and tokens only. */
async function referenceGeneratorPass(): Promise<{ loss: number; fake: Float32Array; grads: Arrays }> {
  const b = new GraphBuilder('oracle_generator_loss');
  const x = b.input('input', 'float32', IMAGE_SHAPE);
  const y = b.input('target', 'float32', IMAGE_SHAPE);
  const t = b.parameter(TOKENS_NAME, tokens, conceptTokensShape(gc), { trainable: true });
  const fake = buildGenerator(b, gc, x, t, { weights: generatorWeights, trainable: (name) => loraTrainables.has(name), lora: placement });
  const fakeLogits = buildDiscriminator(b, dc, x, fake, { weights: discriminatorWeights });
  // LSGAN generator term mean((D(x, G(x)) - 1)^2) plus weighted mean |G(x) - y|.
  const loss = b.add(b.mul(meanOf(b, sq(b, b.sub(fakeLogits, 1))), ADV_WEIGHT), b.mul(meanOf(b, b.abs(b.sub(fake, y))), L1_WEIGHT));
  const params = b.trainables();
  gradients(b, loss, params).forEach((grad, i) => b.output(grad, `grad.${params[i]!.name}`));
  b.output(loss, 'loss');
  b.output(b.identity(fake), 'fake');
  const out = await runGraph(b, { input, target }, { input: IMAGE_SHAPE, target: IMAGE_SHAPE });
  const grads = Object.fromEntries(params.map((p) => [p.name, out[`grad.${p.name}`]!]));
  return { loss: out['loss']![0]!, fake: out['fake']!, grads };
}

/** Discriminator loss alone, on the generated image fed in as data (a detached fake by construction). */
async function referenceDiscriminatorPass(fake: Float32Array): Promise<{ loss: number; grads: Arrays }> {
  const b = new GraphBuilder('oracle_discriminator_loss');
  const x = b.input('input', 'float32', IMAGE_SHAPE);
  const y = b.input('target', 'float32', IMAGE_SHAPE);
  const f = b.input('fake', 'float32', IMAGE_SHAPE);
  const shared = new Map<string, Value>();
  const source = { weights: discriminatorWeights, trainable: () => true };
  const realLogits = buildDiscriminator(b, dc, x, y, source, undefined, shared);
  const fakeLogits = buildDiscriminator(b, dc, x, f, source, undefined, shared);
  // LSGAN discriminator: ½(mean((D(real) - 1)^2) + mean(D(fake)^2)).
  const loss = b.mul(b.add(meanOf(b, sq(b, b.sub(realLogits, 1))), meanOf(b, sq(b, fakeLogits))), 0.5);
  const params = [...shared.values()];
  gradients(b, loss, params).forEach((grad, i) => b.output(grad, `grad.${params[i]!.name}`));
  b.output(loss, 'loss');
  const out = await runGraph(b, { input, target, fake }, { input: IMAGE_SHAPE, target: IMAGE_SHAPE, fake: IMAGE_SHAPE });
  return { loss: out['loss']![0]!, grads: Object.fromEntries(params.map((p) => [p.name, out[`grad.${p.name}`]!])) };
}

function norm(grads: Arrays): number {
  let total = 0;
  for (const g of Object.values(grads)) for (const v of g) total += v * v;
  return Math.sqrt(total);
}

/** torch-style clip_grad_norm_ then Adam (bias-corrected, no weight decay), in float64. */
function referenceAdam(params: Arrays, grads: Arrays, moments: Arrays, lr: number, clip: number): { params: Arrays; m: Arrays; v: Arrays } {
  const coefficient = Math.min(1, clip / (norm(grads) + 1e-6));
  const result = { params: {} as Arrays, m: {} as Arrays, v: {} as Arrays };
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name]!;
    const [m0, v0] = [moments[`${name}.adam_m`]!, moments[`${name}.adam_v`]!];
    const [p1, m1, v1] = [new Float32Array(p.length), new Float32Array(p.length), new Float32Array(p.length)];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]! * coefficient;
      const m = BETA1 * m0[i]! + (1 - BETA1) * gi;
      const v = BETA2 * v0[i]! + (1 - BETA2) * gi * gi;
      const update = m / (1 - BETA1 ** STEP) / (Math.sqrt(v / (1 - BETA2 ** STEP)) + EPS);
      [p1[i], m1[i], v1[i]] = [p[i]! - lr * update, m, v];
    }
    result.params[name] = p1;
    result.m[`${name}.adam_m`] = m1;
    result.v[`${name}.adam_v`] = v1;
  }
  return result;
}

/** Largest |a - b| relative to the largest |b - start| (the size of the update being checked). */
function updateError(actual: Float32Array, expected: Float32Array, start: Float32Array): number {
  let worst = 0;
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]! - start[i]!));
  }
  return worst / scale;
}

let reference: { g: Awaited<ReturnType<typeof referenceGeneratorPass>>; d: Awaited<ReturnType<typeof referenceDiscriminatorPass>> };
let compiled: CompiledGanStep;
let config: GanStepConfig;
let startState: Arrays;
let outputs: Arrays;

beforeAll(async () => {
  const g = await referenceGeneratorPass();
  reference = { g, d: await referenceDiscriminatorPass(g.fake) };
  // Clip below both networks' gradient norms so the clipping coefficient is active for G and for D.
  const clip = 0.5 * Math.min(norm(g.grads), norm(reference.d.grads));
  config = {
    generator: gc,
    discriminator: dc,
    batch: 1,
    mode: 'lora',
    placement,
    ganLoss: 'lsgan',
    l1Weight: L1_WEIGHT,
    adversarialWeight: ADV_WEIGHT,
    discriminatorLrRatio: D_LR_RATIO,
    clipGradNorm: clip,
  };
  compiled = compileGanStep(config, { generator: generatorWeights, discriminator: discriminatorWeights, tokens });
  const moments = new Set(compiled.momentInputs);
  startState = {};
  for (const binding of compiled.program.state) {
    const size = binding.shape.reduce((a, b) => a * b, 1);
    startState[binding.input] = moments.has(binding.input)
      ? binding.input.endsWith('.adam_v')
        ? Float32Array.from(randomArray(size, 1e-4), Math.abs)
        : randomArray(size, 1e-3)
      : binding.input === TOKENS_NAME
        ? tokens
        : (generatorWeights.get(binding.input) ?? discriminatorWeights.get(binding.input))!;
  }
  const shapes = Object.fromEntries(compiled.program.state.map((s) => [s.input, s.shape]));
  const session = await openSession(compiled.program.model);
  try {
    const feeds: Record<string, Tensor> = {
      input: tensorFromValues('float32', input, IMAGE_SHAPE),
      target: tensorFromValues('float32', target, IMAGE_SHAPE),
      learning_rate: tensorFromValues('float32', [LR], []),
      step: tensorFromValues('float32', [1], []),
      [compiled.stepOffsetInput]: tensorFromValues('float32', [STEP - 1], []),
    };
    for (const [name, value] of Object.entries(startState)) feeds[name] = tensorFromValues('float32', value, [...shapes[name]!]);
    const out = await session.run(feeds);
    outputs = Object.fromEntries(Object.entries(out).map(([name, t]) => [name, toFloat32Array(t)]));
  } finally {
    await session.release();
  }
});

function checkUpdates(names: readonly string[], grads: Arrays, lr: number): number {
  const params = Object.fromEntries(names.map((n) => [n, startState[n]!]));
  const moments = Object.fromEntries(names.flatMap((n) => [`${n}.adam_m`, `${n}.adam_v`].map((m) => [m, startState[m]!])));
  const expected = referenceAdam(params, grads, moments, lr, config.clipGradNorm!);
  let worst = 0;
  for (const n of names) {
    worst = Math.max(worst, updateError(outputs[`${n}.next`]!, expected.params[n]!, startState[n]!));
    worst = Math.max(worst, updateError(outputs[`${n}.adam_m.next`]!, expected.m[`${n}.adam_m`]!, startState[`${n}.adam_m`]!));
    worst = Math.max(worst, updateError(outputs[`${n}.adam_v.next`]!, expected.v[`${n}.adam_v`]!, startState[`${n}.adam_v`]!));
  }
  return worst;
}

describe('compiled GAN step vs separately built losses and a reference Adam', () => {
  test('trains exactly the LoRA factors and concept tokens of G and every weight of D', () => {
    expect(new Set(compiled.generatorTrainables)).toEqual(new Set([...loraTrainables, TOKENS_NAME]));
    expect(new Set(compiled.discriminatorTrainables)).toEqual(new Set(discriminatorWeights.keys()));
    expect(new Set(Object.keys(reference.g.grads))).toEqual(new Set(compiled.generatorTrainables));
  });

  test('both losses and both pre-clip gradient norms match the separate graphs', () => {
    expect(outputs['loss_g']![0]).toBeCloseTo(reference.g.loss, 4);
    expect(outputs['loss_d']![0]).toBeCloseTo(reference.d.loss, 4);
    expect(outputs['grad_norm_g']![0]! / norm(reference.g.grads)).toBeCloseTo(1, 4);
    expect(outputs['grad_norm_d']![0]! / norm(reference.d.grads)).toBeCloseTo(1, 4);
    expect(config.clipGradNorm!).toBeLessThan(outputs['grad_norm_g']![0]!);
    expect(config.clipGradNorm!).toBeLessThan(outputs['grad_norm_d']![0]!);
  });

  test('G update = clipped Adam on the G-loss gradient alone (no D-loss gradient leaks into G)', () => {
    expect(checkUpdates(compiled.generatorTrainables, reference.g.grads, LR)).toBeLessThan(2e-3);
  });

  test('D update = clipped Adam on the D-loss gradient of a detached fake, at learning rate x the D/G ratio', () => {
    expect(checkUpdates(compiled.discriminatorTrainables, reference.d.grads, LR * D_LR_RATIO)).toBeLessThan(2e-3);
  });

  test('frozen base weights are not state, and the graph carries their bytes unchanged', () => {
    const stateNames = new Set(compiled.program.state.map((s) => s.input));
    const model = Buffer.from(compiled.program.model);
    for (const p of generatorParameters(gc)) {
      expect(stateNames.has(p.name), p.name).toBe(false);
      const w = base.get(p.name)!;
      expect(model.indexOf(Buffer.from(w.buffer, w.byteOffset, w.byteLength)), `${p.name} bytes in the graph`).toBeGreaterThanOrEqual(0);
    }
  });
});
