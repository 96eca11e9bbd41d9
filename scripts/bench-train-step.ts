/**
 * Train-step benchmark (issue 3): reference net of 8 conv layers x 64 channels (3x3, InstanceNorm + ReLU
 * between, tanh at the end), LoRA rank 8 on every conv, L1 loss, batch 4 x 3x256x256 by default.
 * Prints ms per forward, ms per LoRA train step and peak RSS; the last line is
 * `train_step_ratio=<LoRA train step ms / forward ms>`.
 *
 *   npm run bench:train-step -- [--size 256] [--batch 4] [--iters 3] [--wgrad taps|conv]
 *                               [--dx flippedConv|auto|convTranspose] [--shortcuts on|off]
 *                               [--branch conv|gemm-taps] [--provider cpu|webgpu]
 *                               [--threads N] [--spin off|on] [--train-opt all|extended|basic]
 *                               [--profile out/prefix] [--recompute N]
 *
 * --recompute N: gradient checkpointing with N forward segments (GradientOptions.recompute; needs
 * --shortcuts off, since the LoRA-A shortcut reads the forward activations). Compare peak RSS with the same
 * settings and --recompute 1 (or no flag): peak RSS is the process maximum, so run each way in its own process.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphBuilder, type Value } from '../native-models/graph';
import type { ConvInputGradStrategy, ConvWeightGradStrategy } from '../native-models/autodiff';
import {
  createTensor,
  openSession,
  scalar,
  TrainState,
  type ExecutionProviderName,
  type GraphOptimizationLevel,
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
    dx: { type: 'string', default: 'flippedConv' },
    shortcuts: { type: 'string', default: 'on' },
    branch: { type: 'string', default: 'conv' },
    provider: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    spin: { type: 'string', default: 'off' },
    'train-opt': { type: 'string', default: 'all' },
    profile: { type: 'string' },
    recompute: { type: 'string' },
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
const recomputeSegments = args.recompute === undefined ? undefined : positiveInt('recompute', args.recompute);
if (recomputeSegments !== undefined && args.shortcuts !== 'off') {
  throw new Error('--recompute needs --shortcuts off (the LoRA-A gradient shortcut reads the forward activations that recompute frees)');
}
const threads = args.threads === undefined ? undefined : positiveInt('threads', args.threads);
if (args.wgrad !== 'taps' && args.wgrad !== 'conv') throw new Error(`--wgrad: expected taps or conv, got '${args.wgrad}'`);
const wgrad = args.wgrad as ConvWeightGradStrategy;
if (!['auto', 'flippedConv', 'convTranspose'].includes(args.dx!)) throw new Error(`--dx: expected auto, flippedConv or convTranspose, got '${args.dx}'`);
const dx = args.dx as ConvInputGradStrategy;
if (args.branch !== 'gemm-taps' && args.branch !== 'conv') throw new Error(`--branch: expected gemm-taps or conv, got '${args.branch}'`);
const convBranch = args.branch;
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

interface Timing {
  /** Fastest wall time: on a shared machine the least disturbed run is the best estimate. */
  wallMs: number;
  /** CPU time (all ORT threads) of that run; robust to other processes competing for the cores. */
  cpuMs: number;
}

/** Times `fn` iters + 1 times (the first is warm-up) and keeps the fastest run. */
async function timeRuns(fn: () => Promise<void>): Promise<Timing> {
  let best: Timing = { wallMs: Infinity, cpuMs: Infinity };
  for (let i = 0; i <= iters; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await fn();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (i > 0 && wallMs < best.wallMs) best = { wallMs, cpuMs: (used.user + used.system) / 1000 };
  }
  return best;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
if (args.spin !== 'on' && args.spin !== 'off') throw new Error(`--spin: expected on or off, got '${args.spin}'`);
const sessionOptions = {
  executionProviders: [provider],
  allowSpinning: args.spin === 'on',
  ...(threads ? { intraOpNumThreads: threads } : {}),
};

async function benchForward(): Promise<Timing> {
  const { builder, output } = buildReferenceNet();
  builder.output(output, 'y');
  const session = await openSession(builder.build(), sessionOptions);
  const x = randomTensor(1, xShape, 1);
  const timing = await timeRuns(async () => {
    await session.run({ x });
  });
  await session.release();
  return timing;
}

async function benchTrainStep(): Promise<{ timing: Timing; losses: number[]; nodes: number; trainable: number; modelMb: number }> {
  const { builder: source, output } = buildReferenceNet();
  source.output(output, 'y');
  const lora = applyLora(source, { targets: loraCandidates(source).map((c) => ({ weight: c.weight, rank: Math.min(rank, c.shape[0]!) })), convBranch });
  const target = lora.builder.input('target', 'float32', xShape);
  const loss = l1Loss(lora.builder, lora.map(output), target);
  const compiled = compileTrainStep({
    builder: lora.builder,
    loss,
    gradients: { convWeightGrad: wgrad, convInputGrad: dx, ...(recomputeSegments ? { recompute: { segments: recomputeSegments } } : {}) },
    gradientShortcuts: args.shortcuts === 'off' ? [] : lora.gradientShortcuts(),
  });
  if (args.profile) await profileTrainStep(compiled.program, compiled.initialState, args.profile);
  const level = args['train-opt'] as GraphOptimizationLevel;
  if (!['disabled', 'basic', 'extended', 'all'].includes(level)) throw new Error(`--train-opt: expected disabled|basic|extended|all, got '${level}'`);
  const state = await TrainState.create(compiled.program, compiled.initialState, { ...sessionOptions, graphOptimizationLevel: level });
  const data = { x: randomTensor(1, xShape, 1), target: randomTensor(3, xShape, 0.5) };
  const losses: number[] = [];
  const timing = await timeRuns(async () => {
    losses.push((await state.runStep(data, 1e-3)).metrics['loss']!);
  });
  await state.release();
  return {
    timing,
    losses,
    nodes: lora.builder.nodes.length,
    trainable: compiled.parameters.reduce((n, p) => n + numel(p.shape), 0),
    modelMb: compiled.program.model.byteLength / 1e6,
  };
}

/** Runs the step twice with ORT's profiler and prints kernel time per op type (second run only). */
async function profileTrainStep(program: StepProgram, initial: Record<string, Float32Array>, prefix: string): Promise<void> {
  mkdirSync(dirname(prefix), { recursive: true });
  const session = await openSession(program.model, {
    ...sessionOptions,
    enableProfiling: true,
    profileFilePrefix: prefix,
    optimizedModelFilePath: `${prefix}.optimized.onnx`,
  });
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
  const byPart = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < last.ts) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000);
    // Node names carry the builder scope: backward ops live under 'backward.', the optimizer under 'adam.'.
    const part = e.name.startsWith('backward.') ? 'backward' : e.name.startsWith('adam.') ? 'optimizer' : e.name.includes('.lora.') ? 'lora-forward' : 'forward';
    byPart.set(`${part}/${op}`, (byPart.get(`${part}/${op}`) ?? 0) + e.dur / 1000);
  }
  const parts = [...byPart.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14);
  console.log(`profile by part/op: ${parts.map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')}`);
  const top = [...byOp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`profile (${file}): model_run ${(last.dur / 1000).toFixed(0)} ms; ${top.map(([op, ms]) => `${op} ${ms.toFixed(0)}`).join(', ')}`);
}

console.log(
  `bench-train-step: ${layers} conv layers x ${channels} ch, LoRA rank ${rank} on every conv, L1 loss, batch ${batch} x 3x${size}x${size}, ` +
    `provider ${provider}, dW '${wgrad}', dX '${dx}', LoRA conv branch '${convBranch}', LoRA-A shortcut ${args.shortcuts}, recompute ${recomputeSegments ? `${recomputeSegments} segments` : 'off'}, fastest of ${iters} timed runs, ${threads ?? 'default'} threads, spinning ${args.spin}`,
);
const forward = await benchForward();
console.log(`forward: ${forward.wallMs.toFixed(1)} ms (cpu ${forward.cpuMs.toFixed(0)} ms)`);
const train = await benchTrainStep();
console.log(`lora train step: ${train.timing.wallMs.toFixed(1)} ms (cpu ${train.timing.cpuMs.toFixed(0)} ms; ${train.nodes} graph nodes, ${train.trainable} trainable params, model ${train.modelMb.toFixed(1)} MB)`);
console.log(`losses: ${train.losses.map((l) => l.toFixed(5)).join(' ')}`);
console.log(`peak RSS: ${peakRssMb().toFixed(0)} MB`);
console.log(`cpu_time_ratio=${(train.timing.cpuMs / forward.cpuMs).toFixed(2)}`);
console.log(`train_step_ratio=${(train.timing.wallMs / forward.wallMs).toFixed(2)}`);
