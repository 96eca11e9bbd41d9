import { describe, it } from 'vitest';
import { gradCheck } from './gradcheck';
import * as R from './reference/tensor64';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('elementwise gradient rules vs float64 finite differences', () => {
  const unary: [
    string,
    (b: import('../../../native-models/graph').GraphBuilder, x: import('../../../native-models/graph').Value) => import('../../../native-models/graph').Value,
    (v: number) => number,
    [number, number]?,
  ][] = [
    ['Relu', (b, x) => b.relu(x), (v) => Math.max(0, v)],
    ['LeakyRelu', (b, x) => b.leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['Sigmoid', (b, x) => b.sigmoid(x), sigmoid],
    ['Tanh', (b, x) => b.tanh(x), Math.tanh],
    ['Erf', (b, x) => b.erf(x), R.erf, [-2, 2]],
    ['Gelu (decomposed)', (b, x) => b.gelu(x), (v) => 0.5 * v * (1 + R.erf(v / Math.SQRT2)), [-3, 3]],
    ['SiLU (x * Sigmoid)', (b, x) => b.silu(x), (v) => v * sigmoid(v), [-3, 3]],
    ['Sqrt', (b, x) => b.sqrt(x), Math.sqrt, [0.2, 2]],
    ['Exp', (b, x) => b.exp(x), Math.exp],
    ['Log', (b, x) => b.log(x), Math.log, [0.2, 2]],
    ['Abs', (b, x) => b.abs(x), Math.abs],
    ['Neg', (b, x) => b.neg(x), (v) => -v],
    ['Reciprocal', (b, x) => b.reciprocal(x), (v) => 1 / v, [0.5, 2]],
    ['Softplus', (b, x) => b.softplus(x), (v) => Math.log1p(Math.exp(v))],
    ['Identity', (b, x) => b.identity(x), (v) => v],
    ['Clip', (b, x) => b.clip(x, -0.4, 0.5), (v) => Math.min(0.5, Math.max(-0.4, v))],
  ];
  for (const [name, build, f, range] of unary) {
    it(name, async () => {
      await gradCheck({
        inputs: { x: { shape: [2, 3, 4], ...(range ? { range } : {}) } },
        build: (b, v) => build(b, v.x!),
        reference: (v) => R.map(v.x!, f),
      });
    });
  }

  const binary: [string, 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min', (p: number, q: number) => number][] = [
    ['Add', 'add', (p, q) => p + q],
    ['Sub', 'sub', (p, q) => p - q],
    ['Mul', 'mul', (p, q) => p * q],
    ['Div', 'div', (p, q) => p / q],
    ['Max', 'max', Math.max],
    ['Min', 'min', Math.min],
  ];
  for (const [name, op, f] of binary) {
    it(`${name} with broadcasting on both operands`, async () => {
      await gradCheck({
        inputs: { a: { shape: [2, 1, 4] }, b: { shape: [3, 1], range: op === 'div' ? [0.5, 2] : [-1, 1] } },
        build: (b, v) => b[op](v.a!, v.b!),
        reference: (v) => R.zip(f, v.a!, v.b!),
      });
    });
  }

  it('Pow (base and exponent, broadcast exponent)', async () => {
    await gradCheck({
      inputs: { a: { shape: [2, 3], range: [0.5, 2] }, e: { shape: [3], range: [0.5, 2.5] } },
      build: (b, v) => b.pow(v.a!, v.e!),
      reference: (v) => R.zip(Math.pow, v.a!, v.e!),
    });
  });

  it('Where (both branches, broadcast condition)', async () => {
    await gradCheck({
      inputs: { a: { shape: [2, 3] }, c: { shape: [3] }, m: { shape: [2, 1], frozen: true } },
      build: (b, v) => b.where(b.greater(v.m!, 0), v.a!, v.c!),
      reference: (v) => R.zip((m, a, c) => (m > 0 ? a : c), v.m!, v.a!, v.c!),
      seed: 7,
    });
  });

  it('Softmax (axis 1 of 3)', async () => {
    await gradCheck({
      inputs: { x: { shape: [2, 4, 3], range: [-2, 2] } },
      build: (b, v) => b.softmax(v.x!, 1),
      reference: (v) => R.softmax(v.x!, 1),
    });
  });

  it('LogSoftmax (last axis)', async () => {
    await gradCheck({
      inputs: { x: { shape: [3, 5], range: [-2, 2] } },
      build: (b, v) => b.logSoftmax(v.x!, -1),
      reference: (v) => R.logSoftmax(v.x!, 1),
    });
  });
});
