/**
 * Diffusion pipeline maths against a fixture whose right answer is known in closed form:
 * - a linear VAE: the encoder's mean is the 8x8 block average of each RGB channel (a 4th channel averages all
 *   three; log-variance is zero), the decoder paints each latent cell back over its 8x8 block, so a photo that is
 *   constant on 8x8 blocks survives encode/decode exactly; its scaling factor is deliberately not SD's;
 * - a UNet that knows the clean latent X0 = scale · E(photo) and the training noise schedule (written out here,
 *   not taken from the schedulers), and returns the exact noise of its input: ε = (x - √ᾱ_t X0) / √(1 - ᾱ_t)
 *   (or v, or X0, per prediction type);
 * - guidance: each UNet row adds k·d to that answer, with k set by whether the row got the prompt's text and the
 *   photo's latents, chosen so that only the right classifier-free combination (rows and scales) cancels d.
 * Every scheduler must then end on X0, and the decoded image must be the photo.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTinyPipeline, tinyClipVocabulary } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { withDiffusionModel } from '../../../native-models/diffusion/loader';
import { generate } from '../../../native-models/diffusion/pipeline/generate';
import { GraphBuilder, type Value } from '../../../native-models/graph/index';
import { createImage, type RgbImage } from '../../../native-models/image/image';
import { encodeModel, type Dim, type ModelProto } from '../../../native-models/onnx/index';

const SIZE = 64;
const CELLS = SIZE / 8;
const LATENT = 4;
const TEXT_DIM = 32;
const SEQUENCE = 77;
const VAE_SCALE = 0.37;
const TRAIN_STEPS = 1000;

/** A photo that is constant on each 8x8 block, so the linear VAE reconstructs it exactly. */
function blockPhoto(): RgbImage {
  const image = createImage(SIZE, SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const [cx, cy] = [Math.floor(x / 8), Math.floor(y / 8)];
      const i = (y * SIZE + x) * 3;
      image.data[i] = 0.1 + (0.8 * cx) / (CELLS - 1);
      image.data[i + 1] = 0.1 + (0.8 * cy) / (CELLS - 1);
      image.data[i + 2] = 0.5 + 0.35 * Math.sin(cx * 1.3 + cy * 0.7);
    }
  }
  return image;
}

/** E(photo): the mean latent, in the pipeline's pixel convention (RGB in [-1, 1]). */
function encodeByHand(photo: RgbImage): Float32Array {
  const latent = new Float32Array(LATENT * CELLS * CELLS);
  for (let cy = 0; cy < CELLS; cy++) {
    for (let cx = 0; cx < CELLS; cx++) {
      const sums = [0, 0, 0];
      for (let y = cy * 8; y < cy * 8 + 8; y++)
        for (let x = cx * 8; x < cx * 8 + 8; x++) for (let c = 0; c < 3; c++) sums[c]! += photo.data[(y * SIZE + x) * 3 + c]! * 2 - 1;
      const cell = cy * CELLS + cx;
      for (let c = 0; c < 3; c++) latent[c * CELLS * CELLS + cell] = sums[c]! / 64;
      latent[3 * CELLS * CELLS + cell] = (sums[0]! + sums[1]! + sums[2]!) / 192;
    }
  }
  return latent;
}

/** SD's "scaled_linear" training schedule: β linear in √β between 0.00085 and 0.012; ᾱ_t = Π(1 - β). */
function alphaBars(): Float64Array {
  const out = new Float64Array(TRAIN_STEPS);
  let product = 1;
  for (let t = 0; t < TRAIN_STEPS; t++) {
    const root = Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * t) / (TRAIN_STEPS - 1);
    product *= 1 - root * root;
    out[t] = product;
  }
  return out;
}

function symbolic(model: ModelProto, dims: Record<string, Dim[]>): ModelProto {
  const rewrite = (info: ModelProto['graph']['inputs'][number]) => (dims[info.name] ? { ...info, shape: dims[info.name]! } : info);
  return { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map(rewrite), outputs: model.graph.outputs.map(rewrite) } };
}

function linearVaeEncoder(): Uint8Array {
  const b = new GraphBuilder('vae_encoder');
  const x = b.input('sample', 'float32', [1, 3, SIZE, SIZE]);
  const weight = new Float32Array(2 * LATENT * 3 * 64);
  for (let k = 0; k < 64; k++) {
    for (let c = 0; c < 3; c++) {
      weight[(c * 3 + c) * 64 + k] = 1 / 64;
      weight[(3 * 3 + c) * 64 + k] = 1 / 192;
    }
  }
  b.output(b.conv(x, b.constant(weight, [2 * LATENT, 3, 8, 8]), null, { strides: 8, pads: 0 }), 'latent_parameters');
  return encodeModel(symbolic(b.toModelProto(), { sample: ['batch', 3, 'height', 'width'], latent_parameters: ['batch', 2 * LATENT, 'lh', 'lw'] }));
}

function linearVaeDecoder(): Uint8Array {
  const b = new GraphBuilder('vae_decoder');
  const z = b.input('latent_sample', 'float32', [1, LATENT, CELLS, CELLS]);
  const weight = new Float32Array(LATENT * 3 * 64);
  for (let c = 0; c < 3; c++) weight.fill(1, (c * 3 + c) * 64, (c * 3 + c + 1) * 64);
  b.output(b.convTranspose(z, b.constant(weight, [LATENT, 3, 8, 8]), null, { strides: 8, pads: 0 }), 'sample');
  return encodeModel(symbolic(b.toModelProto(), { latent_sample: ['batch', LATENT, 'lh', 'lw'], sample: ['batch', 3, 'height', 'width'] }));
}

/** hidden[:, :, 0] counts the prompt's ordinary tokens (special tokens embed to 0): 1 for "x", 0 for "". */
function countingTextEncoder(): Uint8Array {
  const vocabSize = Object.keys(tinyClipVocabulary().vocab).length;
  const b = new GraphBuilder('text_encoder');
  const ids = b.input('input_ids', 'int32', [1, SEQUENCE]);
  const table = new Float32Array(vocabSize * TEXT_DIM);
  for (let id = 0; id < vocabSize - 2; id++) table[id * TEXT_DIM] = 1; // the last two ids: <|startoftext|>, <|endoftext|>
  b.output(b.gather(b.constant(table, [vocabSize, TEXT_DIM]), ids, 0), 'last_hidden_state');
  return encodeModel(symbolic(b.toModelProto(), { input_ids: ['batch', SEQUENCE], last_hidden_state: ['batch', SEQUENCE, TEXT_DIM] }));
}

interface UnetSpec {
  kind: 'img2img' | 'instruct-pix2pix';
  prediction: 'epsilon' | 'v_prediction' | 'sample';
  x0: Float32Array;
  /** The photo's unscaled latent (InstructPix2Pix rows carry it, or zeros, as extra channels). */
  imageLatent: Float32Array;
  /** Offset weights for rows [no text, no image], [no text, image], [text, image] (img2img: [no text, -, text]). */
  k: [number, number, number];
}

const OFFSET = Float32Array.from({ length: LATENT * CELLS * CELLS }, (_, i) => 0.3 * Math.sin(i * 0.9 + 0.2));

function exactNoiseUnet(spec: UnetSpec): Uint8Array {
  const b = new GraphBuilder('unet');
  const inChannels = spec.kind === 'instruct-pix2pix' ? 2 * LATENT : LATENT;
  const latentShape = [1, LATENT, CELLS, CELLS];
  const sample = b.input('sample', 'float32', [1, inChannels, CELLS, CELLS]);
  const timestep = b.input('timestep', spec.kind === 'instruct-pix2pix' ? 'int64' : 'float32', [1]);
  const hidden = b.input('encoder_hidden_states', 'float32', [1, SEQUENCE, TEXT_DIM]);
  const bars = alphaBars();
  const perRow = (table: Float64Array): Value =>
    b.unsqueeze(b.gather(b.constant(Float32Array.from(table), [TRAIN_STEPS]), b.cast(timestep, 'int64'), 0), [1, 2, 3]);
  const sqrtBar = perRow(bars.map(Math.sqrt));
  const sqrtOneMinus = perRow(bars.map((a) => Math.sqrt(1 - a)));
  const x0 = b.constant(spec.x0, latentShape);
  const x = b.slice(sample, { starts: [0], ends: [LATENT], axes: [1] });
  const exact = b.div(b.sub(x, b.mul(sqrtBar, x0)), sqrtOneMinus);

  // Which conditioning this row got: text (1 for the prompt, 0 for the empty negative prompt) and image (1 for
  // the photo's unscaled latents, 0 for zeros; a wrongly scaled latent gives neither).
  const text = b.clip(b.unsqueeze(b.reduceSum(b.slice(hidden, { starts: [0], ends: [1], axes: [2] }), [1, 2], true), [3]), 0, 1);
  let k: Value = b.add(b.mul(text, spec.k[2] - spec.k[1]), spec.k[1]);
  if (spec.kind === 'instruct-pix2pix') {
    const norm = spec.imageLatent.reduce((s, v) => s + v * v, 0);
    const image = b.div(
      b.reduceSum(b.mul(b.slice(sample, { starts: [LATENT], ends: [2 * LATENT], axes: [1] }), b.constant(spec.imageLatent, latentShape)), [1, 2, 3], true),
      norm,
    );
    k = b.add(b.add(spec.k[0], b.mul(image, spec.k[1] - spec.k[0])), b.mul(text, spec.k[2] - spec.k[1]));
  }
  const noise = b.add(exact, b.mul(k, b.constant(OFFSET, latentShape)));
  const out =
    spec.prediction === 'epsilon'
      ? noise
      : spec.prediction === 'v_prediction'
        ? b.sub(b.mul(sqrtBar, noise), b.mul(sqrtOneMinus, x0))
        : b.add(x0, b.mul(k, b.constant(OFFSET, latentShape)));
  b.output(out, 'out_sample');
  return encodeModel(
    symbolic(b.toModelProto(), {
      sample: ['batch', inChannels, 'h', 'w'],
      timestep: ['batch'],
      encoder_hidden_states: ['batch', SEQUENCE, TEXT_DIM],
      out_sample: ['batch', LATENT, 'h', 'w'],
    }),
  );
}

let root: string;
const photo = blockPhoto();
const photoLatent = encodeByHand(photo);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'e2gan-analytic-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

let fixtureCount = 0;
/** Writes the diffusers layout (tokenizer and configs from the tiny fixture), then swaps in the analytic models. */
async function analyticPipeline(spec: Omit<UnetSpec, 'x0' | 'imageLatent'>, scheduler: Record<string, unknown>): Promise<string> {
  const dir = join(root, `p${fixtureCount++}`);
  await writeTinyPipeline(dir, { kind: spec.kind, scheduler });
  // img2img noises the scaled latent of the photo; InstructPix2Pix starts from pure noise and ends wherever the
  // UNet leads, so the same target makes the decoded result the photo in both cases.
  const x0 = photoLatent.map((v) => v * VAE_SCALE);
  await writeFile(join(dir, 'unet/model.onnx'), exactNoiseUnet({ ...spec, x0, imageLatent: photoLatent }));
  await writeFile(join(dir, 'vae_encoder/model.onnx'), linearVaeEncoder());
  await writeFile(join(dir, 'vae_decoder/model.onnx'), linearVaeDecoder());
  await writeFile(join(dir, 'vae_decoder/config.json'), JSON.stringify({ scaling_factor: VAE_SCALE }));
  await writeFile(join(dir, 'text_encoder/model.onnx'), countingTextEncoder());
  return dir;
}

function worstPixelError(image: RgbImage, expected: RgbImage): number {
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - expected.data[i]!));
  return worst;
}

const SD_SCHEDULE = { num_train_timesteps: TRAIN_STEPS, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1 };
const SCHEDULERS: Array<[string, Record<string, unknown>]> = [
  ['Euler, leading', { _class_name: 'EulerDiscreteScheduler', ...SD_SCHEDULE, timestep_spacing: 'leading' }],
  ['Euler, trailing', { _class_name: 'EulerDiscreteScheduler', ...SD_SCHEDULE, timestep_spacing: 'trailing' }],
  ['Euler ancestral, leading', { _class_name: 'EulerAncestralDiscreteScheduler', ...SD_SCHEDULE, timestep_spacing: 'leading' }],
  ['DDIM, leading', { _class_name: 'DDIMScheduler', ...SD_SCHEDULE, timestep_spacing: 'leading', set_alpha_to_one: true, clip_sample: false }],
  [
    'LCM, leading',
    { _class_name: 'LCMScheduler', ...SD_SCHEDULE, timestep_spacing: 'leading', set_alpha_to_one: true, clip_sample: false, original_inference_steps: 50 },
  ],
  ['PNDM config (run as Euler)', { _class_name: 'PNDMScheduler', ...SD_SCHEDULE, skip_prk_steps: true }],
];
const TOLERANCE = 2e-3;

describe('analytic fixture: img2img reconstructs the photo', () => {
  for (const [name, scheduler] of SCHEDULERS) {
    for (const prediction of ['epsilon', 'v_prediction', 'sample'] as const) {
      test(`${name}, ${prediction} prediction`, async () => {
        const dir = await analyticPipeline({ kind: 'img2img', prediction, k: [0, 0, 0] }, { ...scheduler, prediction_type: prediction });
        const result = await withDiffusionModel(dir, {}, (m) => generate(m, { images: [photo], prompt: 'x', steps: 4, strength: 0.8, seed: 3 }));
        expect(worstPixelError(result.images[0]!, photo)).toBeLessThan(TOLERANCE);
      });
    }
  }

  test('text classifier-free guidance combines cond and uncond rows at the requested scale', async () => {
    // Rows: cond -> ε + (1 - 1/g)·d, uncond -> ε + d. Only uncond + g·(cond - uncond) cancels d.
    const g = 7.5;
    const dir = await analyticPipeline({ kind: 'img2img', prediction: 'epsilon', k: [0, 1, 1 - 1 / g] }, { ...SCHEDULERS[1]![1], prediction_type: 'epsilon' });
    const run = (guidanceScale: number) =>
      withDiffusionModel(dir, {}, (m) => generate(m, { images: [photo], prompt: 'x', steps: 4, strength: 0.8, guidanceScale }));
    expect(worstPixelError((await run(g)).images[0]!, photo)).toBeLessThan(TOLERANCE);
    // The fixture can tell: at another scale d does not cancel and the photo is not recovered.
    expect(worstPixelError((await run(5)).images[0]!, photo)).toBeGreaterThan(0.02);
  });
});

describe('analytic fixture: InstructPix2Pix with 3-way guidance', () => {
  // Rows: (no text, no image) -> k1, (no text, image) -> k2, (text, image) -> k3, with
  // k1 + gt·(k3 - k2) + gi·(k2 - k1) = 0, which only the InstructPix2Pix combination cancels.
  const weights = (gt: number, gi: number): [number, number, number] => [1, 2, 2 - (1 + gi) / gt];
  for (const [name, scheduler] of [SCHEDULERS[2]!, SCHEDULERS[3]!, SCHEDULERS[0]!]) {
    for (const [gt, gi] of [
      [7.5, 1.5],
      [4, 2.5],
    ] as const) {
      test(`${name}, text ${gt}, image ${gi}`, async () => {
        const dir = await analyticPipeline(
          { kind: 'instruct-pix2pix', prediction: 'epsilon', k: weights(gt, gi) },
          { ...scheduler, prediction_type: 'epsilon' },
        );
        const result = await withDiffusionModel(dir, {}, (m) =>
          generate(m, { images: [photo], prompt: 'x', steps: 5, seed: 9, guidanceScale: gt, imageGuidanceScale: gi }),
        );
        expect(worstPixelError(result.images[0]!, photo)).toBeLessThan(TOLERANCE);
      });
    }
  }

  test('swapped text and image scales do not recover the photo (the fixture can tell)', async () => {
    const dir = await analyticPipeline(
      { kind: 'instruct-pix2pix', prediction: 'epsilon', k: weights(7.5, 1.5) },
      { ...SCHEDULERS[3]![1], prediction_type: 'epsilon' },
    );
    const result = await withDiffusionModel(dir, {}, (m) =>
      generate(m, { images: [photo], prompt: 'x', steps: 5, seed: 9, guidanceScale: 1.5, imageGuidanceScale: 7.5 }),
    );
    expect(worstPixelError(result.images[0]!, photo)).toBeGreaterThan(0.02);
  });
});
