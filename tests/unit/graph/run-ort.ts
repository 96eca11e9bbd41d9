import * as ort from 'onnxruntime-node';

export interface Fed {
  data: Float32Array | BigInt64Array | Uint8Array;
  dims: number[];
}

/** Runs encoded model bytes (or a model path) once on the CPU EP and returns every output as float/int arrays. */
export async function runOrt(model: Uint8Array | string, feeds: Record<string, Fed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' })
      : await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof BigInt64Array ? 'int64' : 'bool';
      tensors[name] = new ort.Tensor(type, f.data, f.dims);
    }
    const result = await session.run(tensors);
    const out: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, t] of Object.entries(result)) {
      const raw = t.data;
      const data = raw instanceof Float32Array ? raw.slice() : Float32Array.from(Array.from(raw as ArrayLike<number | bigint | boolean>, Number));
      out[name] = { data, dims: [...t.dims] };
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Deterministic pseudo-random numbers (mulberry32), uniform in [lo, hi). */
export function seededRandom(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = -1, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => rnd(lo, hi));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
