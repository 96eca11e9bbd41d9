/** Timing helpers shared by the bench scripts: median of several runs, wall and process CPU time. */
import { loadavg } from 'node:os';

export interface Timing {
  /** Median wall time of the timed runs. */
  wallMs: number;
  /** CPU time of the process (every thread, the compute worker's ORT threads included) in the median run. */
  cpuMs: number;
  /** Every timed run's wall time, in order. */
  runsMs: number[];
}

/**
 * Runs `fn` once to warm up (ORT allocates its arenas and plans on the first run), then `iters` times, and
 * reports the median: on a shared machine a single fastest run flatters and a mean is dragged by one stall.
 */
export async function timeMedian(iters: number, fn: () => Promise<void>): Promise<Timing> {
  await fn();
  const runs: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < iters; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await fn();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    runs.push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
  }
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { wallMs: median.wallMs, cpuMs: median.cpuMs, runsMs: runs.map((r) => r.wallMs) };
}

/**
 * timeMedian for several functions run in turns (one warm-up each, then a, b, a, b, ...), so that every
 * function's median comes from the same stretch of machine load: on a shared machine, timing one function's
 * runs and then the other's compares two different loads. `ratios` holds each turn's wall-time ratio of
 * `ratio[0]` to `ratio[1]`.
 */
export async function timeInterleaved<K extends string>(
  iters: number,
  fns: Record<K, () => Promise<void>>,
  ratio: readonly [K, K],
): Promise<{ timings: Record<K, Timing>; ratios: number[] }> {
  const names = Object.keys(fns) as K[];
  for (const name of names) await fns[name]();
  const runs = Object.fromEntries(names.map((name) => [name, [] as { wallMs: number; cpuMs: number }[]])) as Record<K, { wallMs: number; cpuMs: number }[]>;
  for (let i = 0; i < iters; i++) {
    for (const name of names) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await fns[name]();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      runs[name].push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
    }
  }
  const timings = {} as Record<K, Timing>;
  for (const name of names) {
    const sorted = [...runs[name]].sort((a, b) => a.wallMs - b.wallMs);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    timings[name] = { wallMs: median.wallMs, cpuMs: median.cpuMs, runsMs: runs[name].map((r) => r.wallMs) };
  }
  const ratios = runs[ratio[0]].map((r, i) => r.wallMs / runs[ratio[1]][i]!.wallMs);
  return { timings, ratios };
}

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got '${text}'`);
  return value;
}
