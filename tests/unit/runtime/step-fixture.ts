/**
 * A hand-made "step" graph for runtime tests that must not depend on the train-step compiler:
 * m' = m + x; p' = p - lr * m'; metrics: total = sum(p'), stepSeen = step.
 */
import { attr, encodeModel, makeGraph, makeModel, makeNode, makeValueInfo } from '../../../native-models/onnx';
import type { StepProgram } from '../../../native-models/runtime/train-state';

export function momentumStepProgram(n: number): StepProgram {
  const graph = makeGraph(
    [
      makeNode('Add', ['m', 'x'], ['m_next']),
      makeNode('Mul', ['lr', 'm_next'], ['delta']),
      makeNode('Sub', ['p', 'delta'], ['p_next']),
      makeNode('ReduceSum', ['p_next'], ['total'], { attributes: [attr.int('keepdims', 0)] }),
      makeNode('Identity', ['step'], ['step_seen']),
    ],
    'momentum_step',
    [
      makeValueInfo('p', 'float32', [n]),
      makeValueInfo('m', 'float32', [n]),
      makeValueInfo('x', 'float32', [n]),
      makeValueInfo('lr', 'float32', []),
      makeValueInfo('step', 'float32', []),
    ],
    [
      makeValueInfo('p_next', 'float32', [n]),
      makeValueInfo('m_next', 'float32', [n]),
      makeValueInfo('total', 'float32', []),
      makeValueInfo('step_seen', 'float32', []),
    ],
  );
  return {
    model: encodeModel(makeModel(graph)),
    state: [
      { input: 'p', output: 'p_next', shape: [n], init: 'given' },
      { input: 'm', output: 'm_next', shape: [n], init: 'zeros' },
    ],
    data: [{ name: 'x', shape: [n] }],
    learningRateInput: 'lr',
    stepInput: 'step',
    metrics: ['total', 'step_seen'],
  };
}

/** The same recurrence in plain JS (float64), the reference the tests compare against. */
export function momentumReference(p0: number[], xs: number[][], lr: number): { p: number[]; m: number[]; totals: number[] } {
  let p = [...p0];
  let m = p0.map(() => 0);
  const totals: number[] = [];
  for (const x of xs) {
    m = m.map((v, i) => v + x[i]!);
    p = p.map((v, i) => v - lr * m[i]!);
    totals.push(p.reduce((a, b) => a + b, 0));
  }
  return { p, m, totals };
}
