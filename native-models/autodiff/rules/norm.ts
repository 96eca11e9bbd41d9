/**
 * Gradient rules for InstanceNormalization and LayerNormalization. Statistics are recomputed from X in the
 * backward graph (the forward ops do not expose them), which costs two reductions but stores nothing extra.
 */
import type { GraphBuilder } from '../../graph/builder';
import type { Value } from '../../graph/value';
import { dy, type GradientRule } from '../types';

/** x̂ = (x - mean) / sqrt(var + eps) over `axes`, plus 1/sqrt(var + eps). */
function normalized(b: GraphBuilder, x: Value, axes: number[], epsilon: number): { xhat: Value; rstd: Value } {
  const centred = b.sub(x, b.reduceMean(x, axes, true));
  const variance = b.reduceMean(b.mul(centred, centred), axes, true);
  const rstd = b.reciprocal(b.sqrt(b.add(variance, epsilon)));
  return { xhat: b.mul(centred, rstd), rstd };
}

/** dX = rstd * (dx̂ - mean(dx̂) - x̂ * mean(dx̂ * x̂)), the standard normalization backward. */
function normalizedInputGrad(b: GraphBuilder, dxhat: Value, xhat: Value, rstd: Value, axes: number[]): Value {
  const meanG = b.reduceMean(dxhat, axes, true);
  const meanGX = b.reduceMean(b.mul(dxhat, xhat), axes, true);
  return b.mul(rstd, b.sub(b.sub(dxhat, meanG), b.mul(xhat, meanGX)));
}

export const instanceNormGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [x, scale] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const spatial = [...x.shape.keys()].slice(2);
  const { xhat, rstd } = normalized(b, x, spatial, node.float('epsilon', 1e-5));
  const gScale = ctx.needs[1] ? b.reduceSum(b.mul(g, xhat), [0, ...spatial], false) : null;
  const gBias = ctx.needs[2] ? b.reduceSum(g, [0, ...spatial], false) : null;
  let gx: Value | null = null;
  if (ctx.needs[0]) {
    const dxhat = b.mul(g, b.reshape(scale, [x.shape[1]!, ...spatial.map(() => 1)]));
    gx = normalizedInputGrad(b, dxhat, xhat, rstd, spatial);
  }
  return [gx, gScale, gBias];
};

export const layerNormGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [x, scale] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const axis = node.int('axis', -1);
  const start = axis < 0 ? axis + x.rank : axis;
  const normAxes = [...x.shape.keys()].slice(start);
  const leading = [...x.shape.keys()].slice(0, start);
  const { xhat, rstd } = normalized(b, x, normAxes, node.float('epsilon', 1e-5));
  // Scale/bias gradients keep the normalized shape; the walker reduces them further if scale broadcasts.
  const gScale = ctx.needs[1] ? (leading.length ? b.reduceSum(b.mul(g, xhat), leading, false) : b.mul(g, xhat)) : null;
  const gBias = node.inputs[2] && ctx.needs[2] ? (leading.length ? b.reduceSum(g, leading, false) : g) : null;
  const gx = ctx.needs[0] ? normalizedInputGrad(b, b.mul(g, scale), xhat, rstd, normAxes) : null;
  return [gx, gScale, gBias];
};
