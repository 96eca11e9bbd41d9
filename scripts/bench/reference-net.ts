/**
 * The reference conv net of issue 3, kept as bench:train-step's secondary figure: 8 conv layers x 64 channels
 * (3x3, InstanceNorm + ReLU between, tanh at the end), LoRA on every conv, L1 loss, Adam in the graph,
 * driven in-process through TrainState.
 */
import { GraphBuilder, type Value } from '../../native-models/graph';
import type { ConvInputGradStrategy, ConvWeightGradStrategy } from '../../native-models/autodiff';
import { createTensor, openSession, TrainState, type GraphOptimizationLevel, type OpenSessionOptions } from '../../native-models/runtime';
import { applyLora, compileTrainStep, l1Loss, loraCandidates } from '../../native-models/train';
import { createRng } from '../../native-models/util/rng';
import { formatProfile, profileStep } from './ort-profile';
import { timeMedian, type Timing } from './timing';

export interface ReferenceOptions {
  size: number;
  batch: number;
  iters: number;
  channels: number;
  layers: number;
  rank: number;
  wgrad: ConvWeightGradStrategy;
  dx: ConvInputGradStrategy;
  /** LoRA-A gradient shortcut (needs to be off for recompute). */
  shortcuts: boolean;
  branch: 'conv' | 'gemm-taps';
  recomputeSegments?: number;
  trainOptimization: GraphOptimizationLevel;
  session: Pick<OpenSessionOptions, 'executionProviders' | 'allowSpinning' | 'intraOpNumThreads'>;
  profile?: string;
}

export interface ReferenceResult {
  forward: Timing;
  step: Timing;
  losses: number[];
  nodes: number;
  trainable: number;
  modelMb: number;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function buildReferenceNet(o: ReferenceOptions, xShape: number[]): { builder: GraphBuilder; output: Value } {
  const rng = createRng(2);
  const b = new GraphBuilder('bench_net');
  let h = b.input('x', 'float32', xShape);
  for (let l = 0; l < o.layers; l++) {
    const cin = l === 0 ? 3 : o.channels;
    const cout = l === o.layers - 1 ? 3 : o.channels;
    const std = Math.sqrt(2 / (cin * 9));
    const weight = Float32Array.from({ length: cout * cin * 9 }, () => rng.normal() * std);
    h = b.scope(`layer${l}`, () => {
      const w = b.initializer('conv.weight', weight, [cout, cin, 3, 3]);
      if (l === o.layers - 1) {
        const bias = b.initializer('conv.bias', new Float32Array(cout), [cout]);
        return b.tanh(b.conv(h, w, bias, { pads: 1 }));
      }
      // No conv bias in front of a norm: its gradient is 0.
      const scale = b.initializer('norm.scale', new Float32Array(cout).fill(1), [cout]);
      const shift = b.initializer('norm.bias', new Float32Array(cout), [cout]);
      return b.relu(b.instanceNorm(b.conv(h, w, null, { pads: 1 }), scale, shift));
    });
  }
  return { builder: b, output: h };
}

function randomTensor(seed: number, shape: number[], std: number) {
  const rng = createRng(seed);
  return createTensor(
    'float32',
    Float32Array.from({ length: numel(shape) }, () => rng.normal() * std),
    shape,
  );
}

export async function benchReferenceNet(o: ReferenceOptions): Promise<ReferenceResult> {
  if (o.recomputeSegments !== undefined && o.shortcuts) {
    throw new Error('recompute needs the LoRA-A shortcut off (it reads the forward activations that recompute frees)');
  }
  const xShape = [o.batch, 3, o.size, o.size];
  const x = randomTensor(1, xShape, 1);

  const { builder: forwardNet, output: forwardOut } = buildReferenceNet(o, xShape);
  forwardNet.output(forwardOut, 'y');
  const session = await openSession(forwardNet.build(), o.session);
  const forward = await timeMedian(o.iters, async () => {
    await session.run({ x });
  });
  await session.release();

  const { builder: source, output } = buildReferenceNet(o, xShape);
  source.output(output, 'y');
  const lora = applyLora(source, {
    targets: loraCandidates(source).map((c) => ({ weight: c.weight, rank: Math.min(o.rank, c.shape[0]!) })),
    convBranch: o.branch,
  });
  const target = lora.builder.input('target', 'float32', xShape);
  const loss = l1Loss(lora.builder, lora.map(output), target);
  const nodes = lora.builder.nodes.length;
  const compiled = compileTrainStep({
    builder: lora.builder,
    loss,
    gradients: { convWeightGrad: o.wgrad, convInputGrad: o.dx, ...(o.recomputeSegments ? { recompute: { segments: o.recomputeSegments } } : {}) },
    gradientShortcuts: o.shortcuts ? lora.gradientShortcuts() : [],
  });
  const data = { x, target: randomTensor(3, xShape, 0.5) };
  if (o.profile) {
    const partOf = (name: string) =>
      name.startsWith('backward.') ? 'backward' : name.startsWith('adam.') ? 'optimizer' : name.includes('.lora.') ? 'lora-forward' : 'forward';
    console.log(formatProfile(await profileStep(compiled.program, compiled.initialState, data, o.profile, o.session, partOf)));
  }
  const state = await TrainState.create(compiled.program, compiled.initialState, { ...o.session, graphOptimizationLevel: o.trainOptimization });
  const losses: number[] = [];
  const step = await timeMedian(o.iters, async () => {
    losses.push((await state.runStep(data, 1e-3)).metrics['loss']!);
  });
  await state.release();
  return {
    forward,
    step,
    losses,
    nodes,
    trainable: compiled.parameters.reduce((n, p) => n + numel(p.shape), 0),
    modelMb: compiled.program.model.byteLength / 1e6,
  };
}
