import type { GraphBuilder } from '../graph/builder';
import type { GraphNode } from '../graph/graph-node';
import type { Value } from '../graph/value';
import type { RecomputeOptions } from './recompute';

/**
 * How Conv weight gradients are emitted (all give the same values):
 * - 'taps': one GEMM per kernel tap over shifted slices of X (the spike measured this fastest on CPU for full
 *   dW; best when C_out >= C_in);
 * - 'shifts': shifted copies of dY and one GEMM for all taps (about 2.5x faster than taps on CPU when
 *   C_out < C_in, e.g. LoRA A with C_out = rank);
 * - 'conv': the transposed-convolution trick (one Conv over X^T with dY^T as kernel);
 * - 'auto' (default): 'conv' when one channel side is thin (< 16) and the kernel is big (>= 16 taps) or
 *   strided; else 'shifts' when C_out < C_in and the kernel has more than one tap; else 'taps'
 *   (rules/conv.ts autoWeightGradStrategy has the measurements).
 * Grouped convs always use taps.
 */
export type ConvWeightGradStrategy = 'auto' | 'taps' | 'shifts' | 'conv';

/**
 * How Conv input gradients are emitted. 'auto' / 'flippedConv': stride-1 convs become a Conv of dY with the
 * spatially flipped, channel-swapped kernel (a precomputed constant for frozen weights, so ORT's fast conv
 * path applies; Gather + Transpose in-graph for trainable ones); strided convs become one stride-1 Conv per
 * output phase with flipped sub-kernels, interleaved (rules/conv-input-phases.ts). 'convTranspose' forces
 * one ConvTranspose, which the CPU EP ran 2-10x slower than the equivalent Conv in our measurements.
 */
export type ConvInputGradStrategy = 'auto' | 'convTranspose' | 'flippedConv';

export interface GradientOptions {
  convWeightGrad?: ConvWeightGradStrategy;
  convInputGrad?: ConvInputGradStrategy;
  /** Gradient of the loss output (defaults to ones of the loss shape, i.e. d(sum(loss))). */
  seed?: Value;
  /**
   * Gradient checkpointing: recompute the forward activations of all but the last of `segments` forward
   * segments during the backward pass instead of keeping them alive (less peak memory, more compute).
   */
  recompute?: RecomputeOptions;
}

export interface GradientContext {
  b: GraphBuilder;
  node: GraphNode;
  /** Gradient per node output; null where no path to the loss passes through that output. */
  outputGrads: readonly (Value | null)[];
  /** Per node input: whether the walker needs its gradient (it leads back to a requested tensor). */
  needs: readonly boolean[];
  options: Required<Omit<GradientOptions, 'seed' | 'recompute'>>;
}

/**
 * One rule per op type: returns one gradient per input (null where not needed or not differentiable).
 * A returned gradient may have the broadcast output shape; the walker reduces it to the input's shape.
 */
export type GradientRule = (ctx: GradientContext) => (Value | null)[];

/** The single output gradient of a one-output op (the walker only calls rules whose outputs have one). */
export function dy(ctx: GradientContext): Value {
  const g = ctx.outputGrads[0];
  if (!g) throw new Error(`${ctx.node}: no output gradient`);
  return g;
}
