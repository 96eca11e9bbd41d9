/**
 * Reverse-mode autodiff over a GraphBuilder's graph. The backward pass is emitted as more ops into the same
 * builder (a graph, not numbers), so a training step is one ordinary ONNX inference model.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphNode } from '../graph/graph-node';
import type { Value } from '../graph/value';
import { Recompute } from './recompute';
import { GRADIENT_RULES, NON_DIFFERENTIABLE_OPS } from './rule-table';
import type { GradientOptions } from './types';
import { unbroadcast } from './unbroadcast';

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);

/**
 * Emits d(loss)/d(v) for every v in `wrt` (trainable parameters, inputs, or any intermediate value) and
 * returns them in order. Only nodes on a path from some `wrt` value to `loss` get backward ops; a `wrt`
 * value the loss does not depend on gets a zero gradient. Gradients reaching one value from several
 * consumers are summed; gradients of broadcast operands are reduced to the operand's shape.
 */
export function gradients(b: GraphBuilder, loss: Value, wrt: readonly Value[], options: GradientOptions = {}): Value[] {
  const resolved = { convWeightGrad: options.convWeightGrad ?? 'auto', convInputGrad: options.convInputGrad ?? 'auto' } as const;
  const forward = [...b.nodes];
  const lossIndex = forward.findIndex((n) => n.outputs.includes(loss));
  for (const v of wrt) {
    if (!FLOAT_TYPES.has(v.dtype)) throw new Error(`gradients: cannot differentiate with respect to non-float '${v}'`);
  }

  // Forward sweep: which values depend (differentiably) on a requested tensor.
  const dependent = new Set<Value>(wrt);
  for (const node of forward) {
    if (NON_DIFFERENTIABLE_OPS.has(node.opType)) continue;
    if (node.inputs.some((v) => v && dependent.has(v))) {
      for (const o of node.outputs) if (FLOAT_TYPES.has(o.dtype)) dependent.add(o);
    }
  }

  // Backward sweep: nodes that lie on a path from a requested tensor to the loss.
  const onPath: GraphNode[] = [];
  const needed = new Set<Value>([loss]);
  for (let i = lossIndex < 0 ? -1 : lossIndex; i >= 0; i--) {
    const node = forward[i]!;
    if (!node.outputs.some((o) => needed.has(o)) || !node.inputs.some((v) => v && dependent.has(v))) continue;
    if (NON_DIFFERENTIABLE_OPS.has(node.opType)) continue;
    onPath.push(node);
    for (const v of node.inputs) if (v && dependent.has(v)) needed.add(v);
  }

  const pending = new Map<Value, Value[]>();
  const accumulate = (v: Value, g: Value) => {
    const list = pending.get(v);
    if (list) list.push(g);
    else pending.set(v, [g]);
  };
  const total = (v: Value): Value | null => {
    const list = pending.get(v);
    if (!list) return null;
    const sum = list.reduce((acc, g) => b.add(acc, g));
    pending.set(v, [sum]);
    return sum;
  };

  const seed = options.seed ?? b.expand(b.scalar(1, loss.dtype), loss.shape);
  if (seed.shape.join(',') !== loss.shape.join(',')) throw new Error(`gradients: seed ${seed} must have the loss shape [${loss.shape.join(', ')}]`);
  accumulate(loss, seed);
  const recompute = options.recompute ? new Recompute(b, forward, lossIndex, options.recompute) : null;

  for (const node of onPath) {
    const outputGrads = node.outputs.map(total);
    if (outputGrads.every((g) => g === null)) continue;
    const rule = GRADIENT_RULES[node.opType];
    if (!rule) {
      throw new Error(`gradients: no gradient rule for ${node} (op ${node.opType}) on the path to the loss '${loss.name}'`);
    }
    const needs = node.inputs.map((v) => v !== null && dependent.has(v) && needed.has(v));
    const grads = b.scope(`grad.${node.name}`, () => {
      // With recompute, the rule reads forward activations of a non-final segment from recomputed clones.
      const seen = recompute ? recompute.view(node, outputGrads.find((g) => g !== null)!) : node;
      return rule({ b, node: seen, outputGrads, needs, options: resolved });
    });
    node.inputs.forEach((input, i) => {
      const g = grads[i];
      if (!input || !g || !needs[i]) return;
      accumulate(
        input,
        b.scope(`grad.${node.name}`, () => unbroadcast(b, g, input.shape, `gradient of ${node} input ${i}`)),
      );
    });
  }

  return wrt.map((v) => total(v) ?? b.expand(b.scalar(0, v.dtype), v.shape));
}
