/**
 * Finite-difference gradient check: builds op(inputs) with the GraphBuilder, emits gradients of
 * L = sum(r * op(inputs)) (r a fixed random projection), runs the graph on onnxruntime's CPU EP, and compares
 * each gradient with central differences of L through the float64 reference implementation.
 *
 * Tolerance (stated once for every rule): max_i |ort_i - fd_i| / max(max_i |fd_i|, 1e-3) <= 1e-3.
 */
import { expect } from 'vitest';
import { gradients, type GradientOptions } from '../../../native-models/autodiff';
import { GraphBuilder, type Value } from '../../../native-models/graph';
import { maxAbsDiff, runOrt, seededRandom, type Fed } from '../graph/run-ort';
import type { T64 } from './reference/tensor64';

export const GRAD_TOLERANCE = 1e-3;
const FD_STEP = 1e-5;

export interface CheckInput {
  shape: number[];
  /** uniform range of the random data (default [-1, 1]) */
  range?: [number, number];
  /** explicit values instead of random ones */
  values?: number[];
  /** frozen: an initializer (constant), never differentiated. Default: a trainable graph input. */
  frozen?: boolean;
}

export interface GradCheckCase {
  inputs: Record<string, CheckInput>;
  /** inputs to differentiate (default: every non-frozen input) */
  wrt?: string[];
  build: (b: GraphBuilder, v: Record<string, Value>) => Value;
  reference: (v: Record<string, T64>) => T64;
  options?: GradientOptions;
  seed?: number;
}

export interface GradCheckResult {
  /** worst normalized gradient error over all checked inputs */
  gradError: number;
  forwardError: number;
  nodes: number;
}

export async function gradCheck(c: GradCheckCase): Promise<GradCheckResult> {
  const rnd = seededRandom(c.seed ?? 1234);
  const data: Record<string, Float32Array> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    const n = spec.shape.reduce((p, q) => p * q, 1);
    const [lo, hi] = spec.range ?? [-1, 1];
    data[name] = spec.values ? Float32Array.from(spec.values) : Float32Array.from({ length: n }, () => rnd(lo, hi));
    if (data[name]!.length !== n) throw new Error(`gradCheck: input ${name} has ${data[name]!.length} values for shape [${spec.shape}]`);
  }
  const wrtNames = c.wrt ?? Object.keys(c.inputs).filter((k) => !c.inputs[k]!.frozen);

  const b = new GraphBuilder('gradcheck');
  const values: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    values[name] = spec.frozen ? b.initializer(name, data[name]!, spec.shape) : b.parameter(name, data[name]!, spec.shape, { trainable: true });
  }
  const y = c.build(b, values);
  const projection = Float32Array.from({ length: y.shape.reduce((p, q) => p * q, 1) }, () => rnd(-1, 1));
  const loss = b.reduceSum(b.mul(y, b.constant(projection, y.shape)), undefined, false);
  const grads = gradients(
    b,
    loss,
    wrtNames.map((n) => values[n]!),
    c.options,
  );
  b.output(y, 'y');
  grads.forEach((g, i) => b.output(g, `grad.${wrtNames[i]}`));

  const feeds: Record<string, Fed> = {};
  for (const v of b.inputs) feeds[v.name] = { data: data[v.name]!, dims: [...v.shape] };
  const out = await runOrt(b.build(), feeds);

  const ref64 = (override?: { name: string; index: number; delta: number }): T64 => {
    const args: Record<string, T64> = {};
    for (const [name, spec] of Object.entries(c.inputs)) {
      const d = Float64Array.from(data[name]!);
      if (override && override.name === name) d[override.index] = d[override.index]! + override.delta;
      args[name] = { shape: [...spec.shape], data: d };
    }
    return c.reference(args);
  };
  const lossOf = (t: T64) => t.data.reduce((s, v, i) => s + v * projection[i]!, 0);

  const yRef = ref64();
  expect(yRef.shape, 'reference output shape').toEqual([...y.shape]);
  const scale = Math.max(1, ...Array.from(yRef.data, Math.abs));
  const forwardError = maxAbsDiff(out.y!.data, yRef.data) / scale;
  expect(forwardError, 'ORT forward vs float64 reference').toBeLessThan(1e-4);

  let gradError = 0;
  for (const name of wrtNames) {
    const g = out[`grad.${name}`]!.data;
    const base = Float64Array.from(data[name]!);
    const fd = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const h = FD_STEP * Math.max(1, Math.abs(base[i]!));
      fd[i] = (lossOf(ref64({ name, index: i, delta: h })) - lossOf(ref64({ name, index: i, delta: -h }))) / (2 * h);
    }
    const denom = Math.max(1e-3, ...Array.from(fd, Math.abs));
    const err = maxAbsDiff(g, fd) / denom;
    expect(err, `gradient of ${name}: max |ort - fd| / max|fd| (max|fd| = ${denom.toExponential(2)})`).toBeLessThanOrEqual(GRAD_TOLERANCE);
    gradError = Math.max(gradError, err);
  }
  return { gradError, forwardError, nodes: b.nodes.length };
}
