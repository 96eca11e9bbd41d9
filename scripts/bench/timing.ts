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

export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

export function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got '${text}'`);
  return value;
}
