import { readFile } from 'node:fs/promises';
import { decodeSafetensors, f16TensorFromFloat32, tensorFromArray, toFloat32, writeSafetensors, type SafeTensor } from '../io/safetensors';
import { conceptTokensShape, generatorLayers, loraParameterShapes, parseGeneratorConfig, type GeneratorConfig, type LoraPlacement } from './config';
import { checkLoraWeights, loraNames } from './lora';
import type { Weights } from './weights';

/**
 * A trained concept stored as a LoRA-only delta against a base generator: the A/B factors of every placed
 * layer, the concept tokens, and (in the safetensors metadata) the placement and generator config, so a
 * loader can check it against the base it is applied to. A few hundred KB instead of a whole generator.
 */
export interface ConceptDelta {
  readonly generatorConfig: GeneratorConfig;
  readonly placement: readonly LoraPlacement[];
  readonly lora: Weights;
  readonly tokens: Float32Array;
  /** Free-form strings (concept name, prompt, training steps, base model hash...). */
  readonly info?: Readonly<Record<string, string>>;
}

const TOKENS = 'concept.tokens';

export async function saveConceptDelta(path: string, delta: ConceptDelta, options: { fp16?: boolean } = {}): Promise<void> {
  checkLoraWeights(delta.generatorConfig, delta.placement, delta.lora, 'concept delta');
  const [t, d] = conceptTokensShape(delta.generatorConfig);
  if (delta.tokens.length !== t * d) throw new Error(`concept delta: tokens have ${delta.tokens.length} values, expected [${t}, ${d}]`);
  const layers = new Map(generatorLayers(delta.generatorConfig).map((l) => [l.name, l]));
  const tensors = new Map<string, SafeTensor>();
  const put = (name: string, shape: readonly number[], data: Float32Array): void => {
    tensors.set(name, options.fp16 ? f16TensorFromFloat32(shape, data) : tensorFromArray(shape, data));
  };
  for (const p of delta.placement) {
    const shapes = loraParameterShapes(layers.get(p.layer)!, p.rank);
    const names = loraNames(p.layer);
    put(names.a, shapes.a, delta.lora.get(names.a)!);
    put(names.b, shapes.b, delta.lora.get(names.b)!);
  }
  put(TOKENS, [t, d], delta.tokens);
  await writeSafetensors(path, tensors, {
    ...delta.info,
    format: 'e2gan-concept',
    'e2gan.generator_config': JSON.stringify(delta.generatorConfig),
    'e2gan.lora_placement': JSON.stringify(delta.placement),
  });
}

export async function loadConceptDelta(path: string): Promise<ConceptDelta> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read concept (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const contents = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  const { format, 'e2gan.generator_config': configText, 'e2gan.lora_placement': placementText, ...info } = contents.metadata;
  if (format !== 'e2gan-concept' || !configText || !placementText) throw new Error(`${path}: not an E2GAN concept delta (metadata format='${format ?? ''}')`);
  const generatorConfig = parseGeneratorConfig(configText, path);
  const placement = JSON.parse(placementText) as LoraPlacement[];
  const tokensTensor = contents.tensors.get(TOKENS);
  if (!tokensTensor) throw new Error(`${path}: missing tensor '${TOKENS}'`);
  const lora: Weights = new Map();
  for (const [name, tensor] of contents.tensors) if (name !== TOKENS) lora.set(name, toFloat32(tensor, `${path}: ${name}`));
  checkLoraWeights(generatorConfig, placement, lora, path);
  return { generatorConfig, placement, lora, tokens: toFloat32(tokensTensor, `${path}: ${TOKENS}`), info };
}

/** True when two configs describe the same network (so a delta trained on one applies to the other). */
export function sameArchitecture(a: GeneratorConfig, b: GeneratorConfig): boolean {
  // Key order differs between configs read from files and built from presets: compare sorted.
  const strip = ({ height: _h, width: _w, ...rest }: GeneratorConfig) => JSON.stringify(rest, Object.keys(rest).sort());
  return strip(a) === strip(b);
}
