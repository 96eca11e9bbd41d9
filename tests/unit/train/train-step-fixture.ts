/** The LoRA train step both the CPU side and the WebGPU child compile: same seeds, same bytes. */
import { createTensor, type Tensor } from '../../../native-models/runtime';
import { compileTrainStep, type CompiledTrainStep } from '../../../native-models/train/compile';
import { applyLora, loraCandidates } from '../../../native-models/train/lora';
import { X_SHAPE, buildSmallNet, randomBatch, randomWeights, withL1Loss } from './small-net';

/**
 * How the LoRA conv branch is built and differentiated: 'conv-shortcut' (default production path: plain Conv A +
 * shifted-taps dA shortcut), 'gemm-taps' (GEMM + shifted adds) or 'conv' (plain Conv A, generic rules only).
 */
export type FixtureMode = 'gemm-taps' | 'conv-shortcut' | 'conv';

export function compileFixtureStep(mode: FixtureMode = 'conv-shortcut'): CompiledTrainStep {
  const { builder: source, prediction } = buildSmallNet(randomWeights(1), (name) => name.startsWith('net.norm'));
  const lora = applyLora(source, {
    targets: loraCandidates(source).map((c) => ({ weight: c.weight, rank: 2 })),
    seed: 5,
    alpha: 4,
    convBranch: mode === 'gemm-taps' ? 'gemm-taps' : 'conv',
  });
  const loss = withL1Loss(lora.builder, lora.map(prediction));
  return compileTrainStep({
    builder: lora.builder,
    loss,
    exposeGradients: true,
    optimizer: { clipGradNorm: 10 },
    gradientShortcuts: mode === 'conv-shortcut' ? lora.gradientShortcuts() : [],
  });
}

/**
 * Feeds for one step. B factors start at zero, which would make A's gradient zero; a non-zero B makes every
 * gradient informative.
 */
export function fixtureFeeds(compiled: CompiledTrainStep): Record<string, Tensor> {
  const batch = randomBatch(3);
  const feeds: Record<string, Tensor> = {
    x: createTensor('float32', batch.x, X_SHAPE),
    target: createTensor('float32', batch.target, X_SHAPE),
    [compiled.program.learningRateInput]: createTensor('float32', Float32Array.of(0.01), []),
    [compiled.program.stepInput]: createTensor('float32', Float32Array.of(1), []),
  };
  for (const binding of compiled.program.state) {
    const size = binding.shape.reduce((a, b) => a * b, 1);
    let values = compiled.initialState[binding.input] ?? new Float32Array(size);
    if (binding.input.endsWith('.lora_b')) values = Float32Array.from({ length: size }, (_, i) => Math.sin(i + 1) * 0.1);
    feeds[binding.input] = createTensor('float32', Float32Array.from(values), binding.shape);
  }
  return feeds;
}
