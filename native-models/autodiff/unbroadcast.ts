import type { GraphBuilder } from '../graph/builder';
import { fmtShape, type Shape } from '../graph/shape-inference';
import type { Value } from '../graph/value';

/** Sums a broadcast gradient back to `target`: ReduceSum over broadcast axes, then Reshape to drop leading ones. */
export function unbroadcast(b: GraphBuilder, g: Value, target: Shape, where: string): Value {
  if (fmtShape(g.shape) === fmtShape(target)) return g;
  const lead = g.rank - target.length;
  if (lead < 0) throw new Error(`${where}: gradient ${fmtShape(g.shape)} has lower rank than its input ${fmtShape(target)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    const t = i < lead ? 1 : target[i - lead]!;
    if (i < lead || (t === 1 && g.shape[i] !== 1)) axes.push(i);
    else if (t !== g.shape[i]) throw new Error(`${where}: gradient ${fmtShape(g.shape)} does not broadcast to input ${fmtShape(target)}`);
  }
  const reduced = axes.length ? b.reduceSum(g, axes, true) : g;
  return fmtShape(reduced.shape) === fmtShape(target) ? reduced : b.reshape(reduced, target);
}
