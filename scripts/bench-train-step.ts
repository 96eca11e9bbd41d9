/**
 * Train-step benchmark (issue 3): reference net of 8 conv layers x 64 channels (3x3, InstanceNorm + ReLU
 * between, tanh at the end), LoRA rank 8 on every conv, L1 loss, batch 4 x 3x256x256 by default.
 * Prints ms per forward, ms per LoRA train step and peak RSS; the last line is
 * `train_step_ratio=<LoRA train step ms / forward ms>`.
 *
 *   npm run bench:train-step -- [--size 256] [--batch 4] [--iters 3] [--wgrad taps|conv] [--provider cpu|webgpu]
 *                               [--threads N] [--profile out/prefix]
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphBuilder, type Value } from '../native-models/graph';
import type { ConvWeightGradStrategy } from '../native-models/autodiff';
import {
  createTensor,
  openSession,
  scalar,
  TrainState,
  type ExecutionProviderName,
  type Feeds,
  type StepProgram,
} from '../native-models/runtime';
import { applyLora, compileTrainStep, l1Loss, loraCandidates } from '../native-models/train';
import { createRng } from '../native-models/util/rng';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '4' },
    iters: { type: 'string', default: '3' },
    channels: { type: 'string', default: '64' },
    layers: { type: 'string', default: '8' },
    rank: { type: 'string', default: '8' },
    wgrad: { type: 'string', default: 'taps' },
    provider: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    profile: { type: 'string' },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got '${text}'`);
  return value;
}

const size = positiveInt('size', args.size);
const batch = positiveInt('batch', args.batch);
const iters = positiveInt('iters', args.iters);
const channels = positiveInt('channels', args.channels);
const layers = positiveInt('layers', args.layers);
const rank = positiveInt('rank', args.rank);
const threads = args.threads === undefined ? undefined : positiveInt('threads', args.threads);
if (args.wgrad !== 'taps' && args.wgrad !== 'conv') throw new Error(`--wgrad: expected taps or conv, got '${args.wgrad}'`);
const wgrad = args.wgrad as ConvWeightGradStrategy;
const provider = args.provider as ExecutionProviderName;

const xShape = [batch, 3, size, size];
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The reference net with frozen weights as initializers; no conv bias in front of a norm (its gradient is 0). */
function buildReferenceNet(): { builder: GraphBuilder; output: Value } {
  const rng = createRng(2);
  const b = new GraphBuilder('bench_net');
  let h = b.input('x', 'float32', xShape);
  for (let l = 0; l < layers; l++) {
    const cin = l === 0 ? 3 : channels;
    const cout = l === layers - 1 ? 3 : channels;
    const std = Math.sqrt(2 / (cin * 9));
    const weight = Float32Array.from({ length: cout * cin * 9 }, () => rng.normal() * std);
    h = b.scope(`layer${l}`, () => {
      const w = b.initializer('conv.weight', weight, [cout, cin, 3, 3]);
      if (l === layers - 1) {
        const bias = b.initializer('conv.bias', new Float32Array(cout), [cout]);
        return b.tanh(b.conv(h, w, bias, { pads: 1 }));
      }
      const scale = b.initializer('norm.scale', new Float32Array(cout).fill(1), [cout]);
      const shift = b.initializer('norm.bias', new Float32Array(cout), [cout]);
      return b.relu(b.instanceNorm(b.conv(h, w, null, { pads: 1 }), scale, shift));
    });
  }
  return { builder: b, output: h };
}

function randomTensor(seed: number, shape: number[], std: number) {
  const rng = createRng(seed);
  return createTensor('float32', Float32Array.from({ length: numel(shape) }, () => rng.normal() * std), shape);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const sessionOptions = { executionProviders: [provider], ...(threads ? { intraOpNumThreads: threads } : {}) };

async function benchForward(): Promise<number> {
  const { builder, output } = buildReferenceNet();
  builder.output(output, 'y');
  const session = await openSession(builder.build(), sessionOptions);
  const x = randomTensor(1, xShape, 1);
  const times: number[] = [];
  for (let i = 0; i <= iters; i++) {
    const started = performance.now();
    await session.run({ x });
    if (i > 0) times.push(performance.now() - started); // the first run is warm-up
  }
  await session.release();
  return median(times);
}

async function benchTrainStep(): Promise<{ ms: number; losses: number[]; nodes: number; trainable: number; modelMb: number }> {
  const { builder: source, output } = buildReferenceNet();
  source.output(output, 'y');
  const lora = applyLora(source, { targets: loraCandidates(source).map((c) => ({ weight: c.weight, rank: Math.min(rank, c.shape[0]!) })) });
  const target = lora.builder.input('target', 'float32', xShape);
  const loss = l1Loss(lora.builder, lora.map(output), target);
  const compiled = compileTrainStep({ builder: lora.builder, loss, gradients: { convWeightGrad: wgrad } });
  if (args.profile) await profileTrainStep(compiled.program, compiled.initialState, args.profile);
  const state = await TrainState.create(compiled.program, compiled.initialState, sessionOptions);
  const data = { x: randomTensor(1, xShape, 1), target: randomTensor(3, xShape, 0.5) };
  const times: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i <= iters; i++) {
    const result = await state.runStep(data, 1e-3);
    losses.push(result.metrics['loss']!);
    if (i > 0) times.push(result.ms);
  }
  await state.release();
  return {
    ms: median(times),
    losses,
    nodes: lora.builder.nodes.length,
    trainable: compiled.parameters.reduce((n, p) => n + numel(p.shape), 0),
    modelMb: compiled.program.model.byteLength / 1e6,
  };
}

/** Runs the step twice with ORT's profiler and prints kernel time per op type (second run only). */
async function profileTrainStep(program: StepProgram, initial: Record<string, Float32Array>, prefix: string): Promise<void> {
  mkdirSync(dirname(prefix), { recursive: true });
  const session = await openSession(program.model, { ...sessionOptions, enableProfiling: true, profileFilePrefix: prefix });
  const feeds: Feeds = { x: randomTensor(1, xShape, 1), target: randomTensor(3, xShape, 0.5) };
  feeds[program.learningRateInput] = scalar('float32', 1e-3);
  feeds[program.stepInput] = scalar('float32', 1);
  for (const s of program.state) {
    feeds[s.input] = createTensor('float32', s.init === 'given' ? Float32Array.from(initial[s.input]!) : new Float32Array(numel(s.shape)), s.shape);
  }
  await session.run(feeds);
  await session.run(feeds);
  const file = session.endProfiling(prefix);
  await session.release();
  type Event = { cat: string; name: string; ts: number; dur: number; args?: { op_name?: string } };
  const events = JSON.parse(readFileSync(file, 'utf8')) as Event[];
  const runs = events.filter((e) => e.name === 'model_run');
  const last = runs[runs.length - 1]!;
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < last.ts) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000);
  }
  const top = [...byOp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`profile (${file}): model_run ${(last.dur / 1000).toFixed(0)} ms; ${top.map(([op, ms]) => `${op} ${ms.toFixed(0)}`).join(', ')}`);
}

console.log(
  `bench-train-step: ${layers} conv layers x ${channels} ch, LoRA rank ${rank} on every conv, L1 loss, batch ${batch} x 3x${size}x${size}, ` +
    `provider ${provider}, dW strategy '${wgrad}', ${iters} timed iterations (median)`,
);
const forwardMs = await benchForward();
console.log(`forward: ${forwardMs.toFixed(1)} ms`);
const train = await benchTrainStep();
console.log(`lora train step: ${train.ms.toFixed(1)} ms (${train.nodes} graph nodes, ${train.trainable} trainable params, model ${train.modelMb.toFixed(1)} MB)`);
console.log(`losses: ${train.losses.map((l) => l.toFixed(5)).join(' ')}`);
console.log(`peak RSS: ${peakRssMb().toFixed(0)} MB`);
console.log(`train_step_ratio=${(train.ms / forwardMs).toFixed(2)}`);
