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

/**
 * InstanceNorm backward with the scale folded into per-(n, c) factors (scale is constant over the reduced
 * axes): with xc = x - mean, S1 = mean(dY), S2 = rstd * mean(dY * xc), k = scale * rstd,
 *   dX = dY * k - (xc * (k * rstd * S2) + k * S1),  dScale = count * sum_n S2,  dBias = count * sum_n S1.
 * About 11 full-tensor passes instead of 16 for the textbook form, and x̂ is never materialized.
 */
export const instanceNormGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const [x, scale] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const spatial = [...x.shape.keys()].slice(2);
  const count = spatial.reduce((n, a) => n * x.shape[a]!, 1);
  const channels = x.shape[1]!;
  const perChannel = [channels, ...spatial.map(() => 1)];
  const centred = b.sub(x, b.reduceMean(x, spatial, true));
  const variance = b.reduceMean(b.mul(centred, centred), spatial, true);
  const rstd = b.reciprocal(b.sqrt(b.add(variance, node.float('epsilon', 1e-5))));
  const s1 = b.reduceMean(g, spatial, true); // [N, C, 1...]
  const s2 = b.mul(b.reduceMean(b.mul(g, centred), spatial, true), rstd);
  const perChannelSum = (v: typeof s1) => b.reshape(b.mul(b.reduceSum(v, [0], false), count), [channels]);
  const gScale = ctx.needs[1] ? perChannelSum(s2) : null;
  const gBias = ctx.needs[2] ? perChannelSum(s1) : null;
  let gx: Value | null = null;
  if (ctx.needs[0]) {
    const k = b.mul(b.reshape(scale, perChannel), rstd);
    const offset = b.add(b.mul(centred, b.mul(b.mul(k, rstd), s2)), b.mul(k, s1));
    gx = b.sub(b.mul(g, k), offset);
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
