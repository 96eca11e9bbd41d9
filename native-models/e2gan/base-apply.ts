import type { ExecutionProviderName } from '../runtime';
import type { RgbImage } from '../image/image';
import { resizeCover } from '../image/transform';
import { totalStride, type GeneratorConfig } from './config';
import { GeneratorRunner } from './inference';
import { loadBaseModel, type Weights } from './weights';

/** A base model's generator with one of its pre-trained concepts selected. */
export interface BaseConcept {
  readonly id: string;
  readonly config: GeneratorConfig;
  readonly weights: Weights;
  readonly tokens: Float32Array;
}

export async function openBaseConcept(basePath: string, conceptId: string): Promise<BaseConcept> {
  const base = await loadBaseModel(basePath);
  const tokens = base.conceptTokens?.get(conceptId);
  if (!tokens) {
    const known = [...(base.conceptTokens?.keys() ?? [])];
    throw new Error(
      `${basePath}: no pre-trained concept '${conceptId}' (this base has: ${known.length > 0 ? known.join(', ') : 'none'}); held-out concepts need a fine-tune (e2gan train --base)`,
    );
  }
  return { id: conceptId, config: base.generatorConfig, weights: base.generator, tokens };
}

/** Runs the concept on an image, cropped (cover) to a multiple of the generator's stride. */
export async function applyBaseConcept(
  concept: BaseConcept,
  image: RgbImage,
  options: { executionProviders?: readonly ExecutionProviderName[] | 'auto' } = {},
): Promise<RgbImage> {
  const stride = totalStride(concept.config);
  const width = Math.floor(image.width / stride) * stride;
  const height = Math.floor(image.height / stride) * stride;
  if (width < stride || height < stride) throw new Error(`image ${image.width}x${image.height} is smaller than the generator stride ${stride}`);
  const runner = await GeneratorRunner.open({ ...concept.config, width, height }, concept.weights, concept.tokens, {
    executionProviders: options.executionProviders ?? ['cpu'],
  });
  try {
    return await runner.run(width === image.width && height === image.height ? image : resizeCover(image, width, height));
  } finally {
    await runner.release();
  }
}
