/**
 * Which execution providers really work on this machine: opens a tiny session on each candidate and
 * checks its numbers. Used by `e2gan doctor` and to pick a training device.
 */
import { platformProviderChain, type ExecutionProviderName } from './execution-providers';
import { OpenSessionError, openSession } from './session';
import { buildProbeModel, probeExpected } from './small-models';
import { createTensor } from './tensor';

export interface ProviderProbeResult {
  name: ExecutionProviderName;
  available: boolean;
  error?: string;
  /** Time to open the session and run it once. */
  ms: number;
}

export interface ProbeOptions {
  /** Providers to probe; default: this platform's chain (always ends with cpu). */
  candidates?: readonly ExecutionProviderName[];
}

export async function probeExecutionProviders(options: ProbeOptions = {}): Promise<ProviderProbeResult[]> {
  const candidates = options.candidates ?? platformProviderChain();
  const model = buildProbeModel();
  const x = Float32Array.of(-1.5, 0, 0.25, 3);
  const expected = probeExpected(x);
  const results: ProviderProbeResult[] = [];
  for (const name of candidates) {
    const started = performance.now();
    try {
      const session = await openSession(model, { executionProviders: [name] });
      try {
        const out = await session.run({ x: createTensor('float32', x, [x.length]) });
        const y = out['y']!.data as Float32Array;
        const worst = Math.max(...Array.from(expected, (v, i) => Math.abs(v - y[i]!)));
        if (!(worst <= 1e-6)) throw new Error(`probe output wrong by ${worst} (got [${Array.from(y).join(', ')}])`);
      } finally {
        await session.release();
      }
      results.push({ name, available: true, ms: performance.now() - started });
    } catch (error) {
      const message = error instanceof OpenSessionError ? (error.attempts[0]?.error ?? error.message) : error instanceof Error ? error.message : String(error);
      results.push({ name, available: false, error: message, ms: performance.now() - started });
    }
  }
  return results;
}
