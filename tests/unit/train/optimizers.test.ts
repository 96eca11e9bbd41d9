import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../../native-models/graph';
import { createTensor, openSession, scalar, toFloat32Array } from '../../../native-models/runtime';
import { emitAdam, type AdamOptions } from '../../../native-models/train/optimizers';
import { createRng } from '../../../native-models/util/rng';

const shapes = { p1: [3, 2], p2: [4] } as const;
type Name = keyof typeof shapes;
const names: Name[] = ['p1', 'p2'];
const size = (n: Name) => shapes[n].reduce((a: number, b: number) => a * b, 1);

/** Float64 Adam/AdamW written from the paper's equations, independent of the graph code. */
function referenceAdam(
  p0: Record<Name, number[]>,
  grads: Record<Name, number[]>[],
  lrs: number[],
  o: Required<Omit<AdamOptions, 'clipGradNorm'>> & { clipGradNorm?: number },
) {
  const p = structuredClone(p0);
  const m = { p1: new Array(size('p1')).fill(0), p2: new Array(size('p2')).fill(0) } as Record<Name, number[]>;
  const v = structuredClone(m);
  const norms: number[] = [];
  grads.forEach((g, k) => {
    const t = k + 1;
    const norm = Math.sqrt(names.reduce((acc, n) => acc + g[n].reduce((a, x) => a + x * x, 0), 0));
    norms.push(norm);
    const coef = o.clipGradNorm === undefined ? 1 : Math.min(1, o.clipGradNorm / (norm + 1e-6));
    for (const n of names) {
      for (let i = 0; i < size(n); i++) {
        let gi = g[n][i]! * coef;
        if (o.variant === 'adam') gi += o.weightDecay * p[n][i]!;
        m[n][i] = o.beta1 * m[n][i]! + (1 - o.beta1) * gi;
        v[n][i] = o.beta2 * v[n][i]! + (1 - o.beta2) * gi * gi;
        const mHat = m[n][i]! / (1 - o.beta1 ** t);
        const vHat = v[n][i]! / (1 - o.beta2 ** t);
        const decay = o.variant === 'adamw' ? lrs[k]! * o.weightDecay * p[n][i]! : 0;
        p[n][i] = p[n][i]! - (lrs[k]! * mHat) / (Math.sqrt(vHat) + o.epsilon) - decay;
      }
    }
  });
  return { p, m, v, norms };
}

async function runGraph(p0: Record<Name, number[]>, grads: Record<Name, number[]>[], lrs: number[], options: AdamOptions) {
  const b = new GraphBuilder('adam_test');
  const params = names.map((n) => ({ param: b.input(n, 'float32', [...shapes[n]]), grad: b.input(`${n}.grad`, 'float32', [...shapes[n]]) }));
  const lr = b.input('lr', 'float32', []);
  const step = b.input('step', 'float32', []);
  const update = emitAdam(b, params, lr, step, options);
  for (const s of update.states) {
    b.output(s.newParam, `${s.param.name}.next`);
    b.output(s.newM, `${s.param.name}.m_next`);
    b.output(s.newV, `${s.param.name}.v_next`);
  }
  b.output(update.gradNorm, 'grad_norm');
  const session = await openSession(b.build());
  const state: Record<string, Float32Array> = {};
  for (const n of names) {
    state[n] = Float32Array.from(p0[n]);
    state[`${n}.adam_m`] = new Float32Array(size(n));
    state[`${n}.adam_v`] = new Float32Array(size(n));
  }
  const norms: number[] = [];
  for (const [k, g] of grads.entries()) {
    const feeds = Object.fromEntries(
      names.flatMap((n) => [
        [n, createTensor('float32', state[n]!, [...shapes[n]])],
        [`${n}.adam_m`, createTensor('float32', state[`${n}.adam_m`]!, [...shapes[n]])],
        [`${n}.adam_v`, createTensor('float32', state[`${n}.adam_v`]!, [...shapes[n]])],
        [`${n}.grad`, createTensor('float32', Float32Array.from(g[n]), [...shapes[n]])],
      ]),
    );
    const out = await session.run({ ...feeds, lr: scalar('float32', lrs[k]!), step: scalar('float32', k + 1) });
    for (const n of names) {
      state[n] = toFloat32Array(out[`${n}.next`]!);
      state[`${n}.adam_m`] = toFloat32Array(out[`${n}.m_next`]!);
      state[`${n}.adam_v`] = toFloat32Array(out[`${n}.v_next`]!);
    }
    norms.push(toFloat32Array(out['grad_norm']!)[0]!);
  }
  await session.release();
  return { state, norms };
}

const rng = createRng(11);
const rand = (n: number, s: number) => Array.from({ length: n }, () => rng.normal() * s);
const p0 = { p1: rand(6, 1), p2: rand(4, 1) };
const grads = [0, 1, 2].map(() => ({ p1: rand(6, 2), p2: rand(4, 2) }));
const lrs = [0.1, 0.05, 0.02];

function maxRelErr(actual: Float32Array, expected: number[]): number {
  return Math.max(...expected.map((e, i) => Math.abs(actual[i]! - e) / Math.max(1, Math.abs(e))));
}

describe('emitAdam vs a float64 reference', () => {
  const cases: [string, AdamOptions][] = [
    ['plain Adam (bias correction only)', { variant: 'adam' }],
    ['Adam with L2 weight decay', { variant: 'adam', weightDecay: 0.1 }],
    ['AdamW with decoupled weight decay', { variant: 'adamw', weightDecay: 0.1 }],
    ['AdamW with global-norm clipping that binds', { variant: 'adamw', weightDecay: 0.01, clipGradNorm: 1, beta1: 0.8, beta2: 0.99 }],
  ];
  test.each(cases)('%s: params and moments within 1e-5 over 3 steps', async (_label, options) => {
    const o = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, variant: 'adamw' as const, ...options };
    const expected = referenceAdam(p0, grads, lrs, o);
    const actual = await runGraph(p0, grads, lrs, options);
    for (const n of names) {
      expect(maxRelErr(actual.state[n]!, expected.p[n])).toBeLessThan(1e-5);
      expect(maxRelErr(actual.state[`${n}.adam_m`]!, expected.m[n])).toBeLessThan(1e-5);
      expect(maxRelErr(actual.state[`${n}.adam_v`]!, expected.v[n])).toBeLessThan(1e-5);
    }
    expect(maxRelErr(Float32Array.from(actual.norms), expected.norms)).toBeLessThan(1e-5);
    if (options.clipGradNorm !== undefined) expect(Math.min(...expected.norms)).toBeGreaterThan(options.clipGradNorm);
  });

  test('first step moves each weight by about lr (the bias correction at work)', async () => {
    const actual = await runGraph(p0, grads.slice(0, 1), [0.1], { variant: 'adam' });
    actual.state['p1']!.forEach((v, i) => expect(Math.abs(v - p0.p1[i]!)).toBeCloseTo(0.1, 5));
  });

  test('bad hyper-parameters and shapes are rejected', () => {
    const b = new GraphBuilder('bad');
    const p = b.input('p', 'float32', [2]);
    const lr = b.input('lr', 'float32', []);
    const step = b.input('step', 'float32', []);
    expect(() => emitAdam(b, [{ param: p, grad: p }], lr, step, { beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
    expect(() => emitAdam(b, [{ param: p, grad: b.input('g', 'float32', [3]) }], lr, step)).toThrow(/gradient of 'p' has shape \[3\], expected \[2\]/);
    expect(() => emitAdam(b, [{ param: p, grad: p }], lr, step, { clipGradNorm: 0 })).toThrow(/clipGradNorm must be > 0/);
  });
});
