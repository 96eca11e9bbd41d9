import { createRng } from '../util/rng';
import { generatorLayers, loraParameterShapes, type GeneratorConfig, type LayerSpec, type LoraPlacement } from './config';
import type { Weights } from './weights';
import { mergeLoraWeight, type LoraLayerSpec } from '../train/lora';

/**
 * LoRA tensors of a concept, named `${layer}.lora_a` / `${layer}.lora_b` (shapes: config.loraParameterShapes).
 * Conv layers: A is a conv with the layer's kernel/stride/padding (in -> r), B a 1x1 conv (r -> out).
 * Linear layers (x @ W): A [in, r], B [r, out]. The branch output is scaled by alpha / rank.
 */
export function loraNames(layer: string): { a: string; b: string } {
  return { a: `${layer}.lora_a`, b: `${layer}.lora_b` };
}

export function loraScale(placement: LoraPlacement): number {
  return placement.alpha / placement.rank;
}

function layerTable(config: GeneratorConfig): Map<string, LayerSpec> {
  return new Map(generatorLayers(config).map((l) => [l.name, l]));
}

/** A random (fan-in scaled), B zero: the adapted generator starts out exactly equal to the base. */
export function initLoraWeights(config: GeneratorConfig, placement: readonly LoraPlacement[], seed: number): Weights {
  const layers = layerTable(config);
  const rng = createRng(seed ^ 0x10fa);
  const weights: Weights = new Map();
  for (const p of placement) {
    const layer = layers.get(p.layer)!;
    const { a, b } = loraParameterShapes(layer, p.rank);
    const names = loraNames(p.layer);
    const fanIn = layer.kind === 'conv' ? layer.inChannels * layer.kernel * layer.kernel : layer.inChannels;
    const aData = new Float32Array(a.reduce((x, y) => x * y, 1));
    for (let i = 0; i < aData.length; i++) aData[i] = rng.normal() / Math.sqrt(fanIn);
    weights.set(names.a, aData);
    weights.set(names.b, new Float32Array(b.reduce((x, y) => x * y, 1)));
  }
  return weights;
}

/** Checks LoRA tensors against a placement (names and sizes). */
export function checkLoraWeights(config: GeneratorConfig, placement: readonly LoraPlacement[], lora: ReadonlyMap<string, Float32Array>, source: string): void {
  const layers = layerTable(config);
  const expected = new Set<string>();
  for (const p of placement) {
    const layer = layers.get(p.layer);
    if (!layer) throw new Error(`${source}: LoRA placement names unknown layer '${p.layer}'`);
    const shapes = loraParameterShapes(layer, p.rank);
    const names = loraNames(p.layer);
    for (const [name, shape] of [
      [names.a, shapes.a],
      [names.b, shapes.b],
    ] as const) {
      expected.add(name);
      const data = lora.get(name);
      const size = shape.reduce((x, y) => x * y, 1);
      if (!data) throw new Error(`${source}: missing LoRA tensor '${name}' [${shape.join(', ')}]`);
      if (data.length !== size) throw new Error(`${source}: LoRA tensor '${name}' has ${data.length} values, expected [${shape.join(', ')}] = ${size}`);
    }
  }
  for (const name of lora.keys()) if (!expected.has(name)) throw new Error(`${source}: unexpected LoRA tensor '${name}' for this placement`);
}

/**
 * Folds LoRA into the base weights for export: conv W[o,i,kh,kw] += s * sum_r B[o,r] * A[r,i,kh,kw];
 * linear W[i,o] += s * sum_r A[i,r] * B[r,o]. The arithmetic is native-models/train's mergeLoraWeight (the
 * factor layouts are the same). Returns a new weight map; the inputs are not modified.
 */
export function mergeLora(
  config: GeneratorConfig,
  base: ReadonlyMap<string, Float32Array>,
  placement: readonly LoraPlacement[],
  lora: ReadonlyMap<string, Float32Array>,
): Weights {
  checkLoraWeights(config, placement, lora, 'mergeLora');
  const layers = layerTable(config);
  const merged: Weights = new Map([...base].map(([name, data]) => [name, data.slice()]));
  for (const p of placement) {
    const layer = layers.get(p.layer)!;
    const w = merged.get(p.weight);
    if (!w) throw new Error(`mergeLora: base weights lack '${p.weight}'`);
    const names = loraNames(p.layer);
    const shapes = loraParameterShapes(layer, p.rank);
    const spec: LoraLayerSpec = {
      weight: p.weight,
      op: layer.kind === 'conv' ? 'Conv' : 'MatMul',
      layout: layer.kind === 'conv' ? 'conv' : 'in-out',
      rank: p.rank,
      alpha: p.alpha,
      scale: loraScale(p),
      weightShape: layer.kind === 'conv' ? [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel] : [layer.inChannels, layer.outChannels],
      aName: names.a,
      bName: names.b,
      aShape: shapes.a,
      bShape: shapes.b,
    };
    merged.set(p.weight, mergeLoraWeight(spec, w, lora.get(names.a)!, lora.get(names.b)!));
  }
  return merged;
}
