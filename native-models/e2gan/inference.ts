import { GraphBuilder } from '../graph';
import { createTensor, openSession, toFloat32Array, type ExecutionProviderName, type RuntimeSession } from '../runtime';
import { imagesToNchw, nchwToImage, type RgbImage } from '../image/image';
import { conceptTokensShape, type GeneratorConfig } from './config';
import { buildGenerator } from './generator';

/**
 * Builds the export/inference form of a generator: every weight and the concept tokens are constants
 * (merge LoRA first with mergeLora), one image in, one image out.
 */
export function buildInferenceGraph(config: GeneratorConfig, weights: ReadonlyMap<string, Float32Array>, tokens: Float32Array, batch = 1): Uint8Array {
  const g = new GraphBuilder('e2gan_generator');
  const x = g.input('input', 'float32', [batch, config.inChannels, config.height, config.width]);
  const tokenValue = g.initializer('concept.tokens', tokens, conceptTokensShape(config));
  g.output(buildGenerator(g, config, x, tokenValue, { weights }), 'output');
  return g.build({ producerName: 'e2gan-studio' });
}

/** Runs a generator on images of exactly config.width x config.height (resize before calling). */
export class GeneratorRunner {
  private constructor(
    private readonly session: RuntimeSession,
    readonly config: GeneratorConfig,
  ) {}

  static async open(
    config: GeneratorConfig,
    weights: ReadonlyMap<string, Float32Array>,
    tokens: Float32Array,
    options: { executionProviders?: readonly ExecutionProviderName[] | 'auto' } = {},
  ): Promise<GeneratorRunner> {
    const session = await openSession(buildInferenceGraph(config, weights, tokens), { executionProviders: options.executionProviders ?? ['cpu'] });
    return new GeneratorRunner(session, config);
  }

  get executionProvider(): ExecutionProviderName {
    return this.session.executionProvider;
  }

  async run(image: RgbImage): Promise<RgbImage> {
    if (image.width !== this.config.width || image.height !== this.config.height) {
      throw new Error(`generator expects ${this.config.width}x${this.config.height} images, got ${image.width}x${image.height}`);
    }
    const input = imagesToNchw([image]);
    const out = await this.session.run({ input: createTensor('float32', input.data, [...input.dims]) });
    const dims = out.output!.dims as readonly number[];
    return nchwToImage({ data: toFloat32Array(out.output!), dims: [dims[0]!, dims[1]!, dims[2]!, dims[3]!] });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
