import { GraphBuilder } from '../graph';
import { conceptTokensShape, type GeneratorConfig } from '../e2gan/config';
import { buildGenerator } from '../e2gan/generator';

/** Names and layout of the exported model's input and output (docs/bundle-format.md). */
export const PHONE_INPUT = 'image';
export const PHONE_OUTPUT = 'styled';

export interface PhoneIoSpec {
  name: string;
  dtype: 'uint8';
  layout: 'NHWC';
  channels: 'RGBA';
  height: number;
  width: number;
}

export function phoneIoSpec(config: GeneratorConfig): { input: PhoneIoSpec; output: PhoneIoSpec } {
  const common = { dtype: 'uint8', layout: 'NHWC', channels: 'RGBA', height: config.height, width: config.width } as const;
  return { input: { name: PHONE_INPUT, ...common }, output: { name: PHONE_OUTPUT, ...common } };
}

/**
 * The standalone phone graph: RGBA uint8 pixels in, RGBA uint8 pixels out, with the generator's pre- and
 * post-processing inside, so camera frames go to the model and back to the screen with no per-pixel app code.
 * `weights` must already have LoRA merged in; the concept tokens become constants.
 */
export function buildPhoneGraph(config: GeneratorConfig, weights: ReadonlyMap<string, Float32Array>, tokens: Float32Array): Uint8Array {
  const g = new GraphBuilder('e2gan_phone');
  const { height, width } = config;
  const pixels = g.input(PHONE_INPUT, 'uint8', [1, height, width, 4]);
  const rgb = g.slice(g.cast(pixels, 'float32'), { starts: [0], ends: [3], axes: [3] });
  // [0, 255] -> [-1, 1], NHWC -> NCHW
  const x = g.scope('preprocess', () => g.sub(g.mul(g.transpose(rgb, [0, 3, 1, 2]), 2 / 255), 1));
  const tokenValue = g.initializer('concept.tokens', tokens, conceptTokensShape(config));
  const y = buildGenerator(g, config, x, tokenValue, { weights });
  const styled = g.scope('postprocess', () => {
    // [-1, 1] -> [0, 255.5]; the +0.5 makes Cast's truncation round to nearest. No Floor/Round op: CoreML
    // lacks Floor and NNAPI lacks Round. NCHW -> NHWC, opaque alpha appended.
    const scaled = g.clip(g.add(g.mul(y, 127.5), 128), 0, 255);
    const nhwc = g.transpose(scaled, [0, 2, 3, 1]);
    const alpha = g.constant(new Float32Array(height * width).fill(255), [1, height, width, 1]);
    return g.cast(g.concat([nhwc, alpha], 3), 'uint8');
  });
  g.output(styled, PHONE_OUTPUT);
  return g.build({ producerName: 'e2gan-studio' });
}
