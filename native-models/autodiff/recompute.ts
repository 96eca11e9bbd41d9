/**
 * Gradient checkpointing for the walker: the forward pass is split into segments; while the backward pass
 * handles a node of a non-final segment, the forward activations its gradient rule reads are recomputed
 * from the segment's inputs (its checkpoints) by clones of the segment's forward nodes, so the original
 * activations die right after the forward pass instead of living until the backward pass reaches them.
 *
 * Every checkpoint enters the clones through `Where(g0 == g0, x, x)`, where g0 is one element of the
 * gradient arriving at the segment: numerically x (for any g0, NaN included), but it depends on the backward
 * pass, so the clones can only run late and ONNX Runtime's common-subexpression elimination cannot merge
 * them with the originals.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphNode } from '../graph/graph-node';
import type { Value } from '../graph/value';

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);

/** Ops whose outputs a second run would not reproduce. */
const NONDETERMINISTIC_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli', 'Dropout']);

export interface RecomputeOptions {
  /**
   * Number of forward segments (>= 1), balanced by the elements their nodes produce. Activations of every
   * segment but the last are recomputed during the backward pass; 1 recomputes nothing.
   */
  segments: number;
}

/** Checkpointing state for one gradients() call. */
export class Recompute {
  /** Segment index per forward node (nodes after the loss are absent: never recomputed). */
  private readonly segmentOf = new Map<GraphNode, number>();
  private readonly last: number;
  /** Per segment: original value -> recomputed value (checkpoints map to their tied copies). */
  private readonly clones = new Map<number, Map<Value, Value>>();
  private readonly ties = new Map<number, Value>();

  constructor(
    private readonly b: GraphBuilder,
    forward: readonly GraphNode[],
    lossIndex: number,
    options: RecomputeOptions,
  ) {
    const { segments } = options;
    if (!Number.isInteger(segments) || segments < 1) {
      throw new Error(`gradients: recompute.segments must be an integer >= 1, got ${segments}`);
    }
    const nodes = forward.slice(0, lossIndex + 1);
    const weight = (n: GraphNode) => n.outputs.reduce((s, o) => s + o.shape.reduce((a, d) => a * d, 1), 0);
    const total = nodes.reduce((s, n) => s + weight(n), 0);
    let cumulative = 0;
    for (const node of nodes) {
      // A node belongs to the segment in which the middle of its output falls.
      const mid = cumulative + weight(node) / 2;
      cumulative += weight(node);
      this.segmentOf.set(node, Math.min(segments - 1, Math.floor((mid / Math.max(total, 1)) * segments)));
    }
    this.last = segments - 1;
  }

  /** Segment of a forward node, or -1 when it is not part of the forward pass up to the loss. */
  segment(node: GraphNode): number {
    return this.segmentOf.get(node) ?? -1;
  }

  /**
   * The node as its gradient rule should see it: same op and attributes, with the float inputs and outputs
   * that its own (non-final) segment produced replaced by recomputed clones. `grad` is an incoming gradient
   * of the node; the clones depend on it.
   */
  view(node: GraphNode, grad: Value): GraphNode {
    const s = this.segment(node);
    if (s < 0 || s === this.last) return node;
    const map = (v: Value | null) => (v && this.inSegment(v, s) ? this.recomputed(v, s, grad) : v);
    // Lazy: only the activations the rule actually reads get cloned (e.g. a Conv rule never reads its output).
    let inputs: readonly (Value | null)[] | undefined;
    let outputs: readonly Value[] | undefined;
    return Object.create(node, {
      inputs: { get: () => (inputs ??= node.inputs.map(map)) },
      outputs: { get: () => (outputs ??= node.outputs.map((v) => map(v)!)) },
    }) as GraphNode;
  }

  private inSegment(v: Value, s: number): boolean {
    if (!FLOAT_TYPES.has(v.dtype)) return false;
    const producer = this.b.producerOf(v);
    return producer !== undefined && this.segment(producer) === s;
  }

  private tie(s: number, grad: Value): Value {
    const cached = this.ties.get(s);
    if (cached) return cached;
    const b = this.b;
    const first = grad.rank === 0 ? grad : b.reshape(b.slice(grad, { starts: grad.shape.map(() => 0), ends: grad.shape.map(() => 1) }), []);
    const cond = b.equal(first, first);
    this.ties.set(s, cond);
    return cond;
  }

  /** `v` recomputed inside segment `s` from the segment's checkpoints. */
  private recomputed(v: Value, s: number, grad: Value): Value {
    let map = this.clones.get(s);
    if (!map) {
      map = new Map();
      this.clones.set(s, map);
    }
    const known = map.get(v);
    if (known) return known;
    const producer = this.b.producerOf(v);
    // Initializers and constants: fixed data (a clone reading only those would be constant-folded anyway).
    if (!producer && this.b.valueInfo(v).kind !== 'input') return v;
    if (!producer || this.segment(producer) !== s) {
      // A checkpoint (graph input or value of an earlier segment): kept alive, tied to the backward pass.
      if (!FLOAT_TYPES.has(v.dtype)) return v;
      const tied = this.b.scope(`recompute${s}`, () => this.b.where(this.tie(s, grad), v, v));
      map.set(v, tied);
      return tied;
    }
    if (NONDETERMINISTIC_OPS.has(producer.opType)) {
      throw new Error(`gradients: recompute cannot re-run ${producer} (op ${producer.opType} is nondeterministic); use fewer segments or no recompute`);
    }
    const inputs = producer.inputs.map((x) => (x ? this.recomputed(x, s, grad) : null));
    if (inputs.every((x, i) => x === producer.inputs[i])) {
      for (const o of producer.outputs) map.set(o, o);
      return v;
    }
    const outputs = this.b.scope(`recompute${s}`, () =>
      this.b.emit(
        producer.opType,
        inputs,
        [...producer.attributes],
        producer.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape })),
        { domain: producer.domain },
      ),
    );
    producer.outputs.forEach((o, k) => map.set(o, outputs[k]!));
    return map.get(v)!;
  }
}
