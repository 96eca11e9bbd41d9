/**
 * Train-step benchmark (issues 3 and 12). For each E2GAN width preset, the trainer's own LoRA GAN step
 * (compileGanStep as trainRun compiles it: LSGAN + 100·L1, G and D, Adam, LoRA at the default ranks, EMA),
 * driven through the compute worker as trainRun drives it, beside the forward pass of the exported model at
 * the same batch; then the issue-3 reference conv net (8 x 64-channel 3x3 convs, LoRA r8, L1) as a secondary
 * figure. Times are medians of --iters runs after one warm-up, with the load average before and after; a preset's
 * forward and step run in turns (forward, step, forward, ...) so both medians come from the same stretch of load.
 * Last line: `train_step_ratio=<worst preset's GAN step ms / forward ms>`.
 *
 *   npm run bench:train-step -- [--presets tiny,small,base] [--size 256] [--batch 4] [--iters 5]
 *                               [--provider cpu|webgpu] [--threads N] [--spin off|on] [--reference on|off]
 *                               [--profile out/prefix]
 *   reference net only: [--channels 64] [--layers 8] [--rank 8] [--wgrad taps|conv|shifts|auto]
 *                       [--dx flippedConv|auto|convTranspose] [--shortcuts on|off] [--branch conv|gemm-taps]
 *                       [--train-opt all|extended|basic|disabled] [--recompute N]
 *
 * Both sessions of a pair run with the same provider, thread count and spinning setting (the trainer's
 * default: idle threads sleep). --profile writes ORT profiles of each preset's step (run in this process)
 * and prints kernel time by part (forward/backward of G and D, Adam) and by op type.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ConvInputGradStrategy, ConvWeightGradStrategy } from '../native-models/autodiff';
import { WIDTH_PRESETS, type WidthPreset } from '../native-models/e2gan/config';
import { ComputeClient, isExecutionProviderName, type GraphOptimizationLevel } from '../native-models/runtime';
import { benchGanPreset, type GanBenchResult } from './bench/gan-step';
import { benchReferenceNet } from './bench/reference-net';
import { loadAverage, positiveInt } from './bench/timing';

const { values: args } = parseArgs({
  options: {
    presets: { type: 'string', default: WIDTH_PRESETS.join(',') },
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '4' },
    iters: { type: 'string', default: '5' },
    provider: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    spin: { type: 'string', default: 'off' },
    reference: { type: 'string', default: 'on' },
    profile: { type: 'string' },
    channels: { type: 'string', default: '64' },
    layers: { type: 'string', default: '8' },
    rank: { type: 'string', default: '8' },
    wgrad: { type: 'string', default: 'taps' },
    dx: { type: 'string', default: 'flippedConv' },
    shortcuts: { type: 'string', default: 'on' },
    branch: { type: 'string', default: 'conv' },
    'train-opt': { type: 'string', default: 'all' },
    recompute: { type: 'string' },
  },
});

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new Error(`--${name}: expected ${allowed.join(' | ')}, got '${value}'`);
  return value as T;
}

const size = positiveInt('size', args.size);
const batch = positiveInt('batch', args.batch);
const iters = positiveInt('iters', args.iters);
const presets = args.presets!.split(',').map((p) => oneOf('presets', p.trim(), WIDTH_PRESETS) as WidthPreset);
if (!isExecutionProviderName(args.provider!)) throw new Error(`--provider: unknown execution provider '${args.provider}'`);
const provider = args.provider;
const threads = args.threads === undefined ? undefined : positiveInt('threads', args.threads);
const session = { allowSpinning: oneOf('spin', args.spin, ['on', 'off']) === 'on', ...(threads ? { intraOpNumThreads: threads } : {}) };
const withReference = oneOf('reference', args.reference, ['on', 'off']) === 'on';

// Bundled for the GPU check (scripts/gpu/prepare.sh), the compute worker is a built file beside this one.
const bundledWorker = new URL('./compute-worker.mjs', import.meta.url);
const compute = existsSync(fileURLToPath(bundledWorker)) ? ComputeClient.start(bundledWorker) : ComputeClient.start();

const fmt = (ms: number) => ms.toFixed(1);
console.log(
  `bench-train-step: E2GAN LoRA GAN step (trainer's graph, through the compute worker) vs exported-model forward, batch ${batch} x 3x${size}x${size}, ` +
    `provider ${provider}, ${threads ?? 'default'} threads (${cpus().length} CPUs: ${cpus()[0]?.model ?? '?'}), spinning ${args.spin}, median of ${iters} runs after a warm-up, forward and step in turns`,
);
console.log(`load average at start: ${loadAverage()}`);
const results: GanBenchResult[] = [];
try {
  for (const preset of presets) {
    const r = await benchGanPreset(compute, {
      preset,
      size,
      batch,
      iters,
      executionProviders: [provider],
      session,
      ...(args.profile ? { profile: args.profile } : {}),
    });
    results.push(r);
    const ratio = r.step.wallMs / r.forward.wallMs;
    console.log(
      `${preset.padEnd(5)} step_ms=${fmt(r.step.wallMs)} forward_ms=${fmt(r.forward.wallMs)} images_per_s=${((1000 * batch) / r.step.wallMs).toFixed(2)} ` +
        `ratio=${ratio.toFixed(2)} cpu_ratio=${(r.step.cpuMs / r.forward.cpuMs).toFixed(2)} on=${r.executionProvider} ` +
        `(G ${r.generatorGmacs.toFixed(2)} GMAC/img, D ${r.discriminatorGmacs.toFixed(2)}; step graph ${r.stepNodes} nodes, ${r.trainableParameters} trainable G params; ` +
        `step runs ${r.step.runsMs.map((ms) => ms.toFixed(0)).join('/')} ms, forward runs ${r.forward.runsMs.map((ms) => ms.toFixed(0)).join('/')} ms, ` +
        `turn ratios ${r.turnRatios.map((x) => x.toFixed(2)).join('/')}; load ${loadAverage()})`,
    );
  }
} finally {
  await compute.terminate();
}

if (withReference) {
  const recomputeSegments = args.recompute === undefined ? undefined : positiveInt('recompute', args.recompute);
  const ref = await benchReferenceNet({
    size,
    batch,
    iters,
    channels: positiveInt('channels', args.channels),
    layers: positiveInt('layers', args.layers),
    rank: positiveInt('rank', args.rank),
    wgrad: oneOf<ConvWeightGradStrategy>('wgrad', args.wgrad, ['taps', 'conv', 'shifts', 'auto']),
    dx: oneOf<ConvInputGradStrategy>('dx', args.dx, ['flippedConv', 'auto', 'convTranspose']),
    shortcuts: oneOf('shortcuts', args.shortcuts, ['on', 'off']) === 'on',
    branch: oneOf('branch', args.branch, ['conv', 'gemm-taps']),
    ...(recomputeSegments ? { recomputeSegments } : {}),
    trainOptimization: oneOf<GraphOptimizationLevel>('train-opt', args['train-opt'], ['all', 'extended', 'basic', 'disabled']),
    session: { executionProviders: [provider], ...session },
    ...(args.profile ? { profile: `${args.profile}-reference` } : {}),
  });
  console.log(
    `reference net (${args.layers} conv x ${args.channels} ch, LoRA r${args.rank}, L1, in-process): step_ms=${fmt(ref.step.wallMs)} forward_ms=${fmt(ref.forward.wallMs)} ` +
      `ratio=${(ref.step.wallMs / ref.forward.wallMs).toFixed(2)} cpu_ratio=${(ref.step.cpuMs / ref.forward.cpuMs).toFixed(2)} ` +
      `(${ref.nodes} forward nodes, ${ref.trainable} trainable, model ${ref.modelMb.toFixed(1)} MB; losses ${ref.losses.map((l) => l.toFixed(4)).join(' ')})`,
  );
  console.log(`reference_train_step_ratio=${(ref.step.wallMs / ref.forward.wallMs).toFixed(2)}`);
}
console.log(`load average at end: ${loadAverage()}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
const worst = results.reduce((w, r) => (r.step.wallMs / r.forward.wallMs > w.step.wallMs / w.forward.wallMs ? r : w));
console.log(`train_step_ratio=${(worst.step.wallMs / worst.forward.wallMs).toFixed(2)}`);
