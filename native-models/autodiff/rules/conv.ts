/** Gradient rules for 2-D Conv and ConvTranspose (NCHW), including strides, dilations, asymmetric pads, groups. */
import type { GraphBuilder } from '../../graph/builder';
import type { GraphNode } from '../../graph/graph-node';
import type { Value } from '../../graph/value';
import { reverseAxis } from '../reverse';
import { convInputGradByPhases } from './conv-input-phases';
import { dy, type ConvWeightGradStrategy, type GradientContext, type GradientRule } from '../types';

export interface Conv2dGeometry {
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] (ONNX order) */
  pads: [number, number, number, number];
  group: number;
}

function geometry(node: GraphNode): Conv2dGeometry {
  const x = node.input(0);
  if (x.rank !== 4) throw new Error(`${node}: gradients are implemented for 2-D (NCHW) convolutions only, got X ${x}`);
  const strides = node.ints('strides', [1, 1]);
  const dilations = node.ints('dilations', [1, 1]);
  const pads = node.ints('pads', [0, 0, 0, 0]);
  return {
    strides: [strides[0]!, strides[1]!],
    dilations: [dilations[0]!, dilations[1]!],
    pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!],
    group: node.int('group', 1),
  };
}

/**
 * dW of y = Conv(x, W) given dY, shape [C_out, C_in / group, kh, kw].
 * Shared by Conv (x = input) and ConvTranspose (roles swapped: its dW is the Conv weight-gradient with dY as input).
 */
export function convWeightGradient(
  b: GraphBuilder,
  x: Value,
  g: Value,
  kernel: readonly [number, number],
  geo: Conv2dGeometry,
  strategy: ConvWeightGradStrategy,
): Value {
  const taps = kernel[0] * kernel[1];
  const cin = x.shape[1]!;
  const cout = g.shape[1]!;
  const chosen = strategy === 'auto' ? autoWeightGradStrategy(cin, cout, taps, geo) : strategy;
  if (geo.group === 1 && chosen === 'conv') return weightGradByConv(b, x, g, kernel, geo);
  if (geo.group === 1 && chosen === 'shifts') return weightGradByShifts(b, x, g, kernel, geo);
  return weightGradByTaps(b, x, g, kernel, geo);
}

/**
 * Measured on the CPU EP (batch 4, the E2GAN generator's LoRA factors and PatchGAN layers): when one channel
 * side is thin (< 16, e.g. a LoRA down-projection of rank 4, or an RGB input), big kernels and strided convs
 * are cheapest as one Conv (its im2col is a single tight pass: stem 7x7 3->4 at 256²: 61 ms vs 85 taps, 128
 * shifts; output 7x7 8->3: 49 vs 171 / 135); thin 3x3 stride-1 down-projections by shifted dY (up.1 16->4:
 * 39 vs 62 taps, 70 conv); wide layers by one GEMM per tap (PatchGAN 64->128 4x4: 78 vs 228 conv).
 */
function autoWeightGradStrategy(cin: number, cout: number, taps: number, geo: Conv2dGeometry): Exclude<ConvWeightGradStrategy, 'auto'> {
  if (taps === 1 || geo.group !== 1) return 'taps';
  const strided = geo.strides.some((s) => s > 1);
  if (Math.min(cin, cout) < 16 && (taps >= 16 || strided)) return 'conv';
  return cout < cin ? 'shifts' : 'taps';
}

/** Inserts (factor - 1) zeros between neighbours along `axis`: length n -> (n - 1) * factor + 1. */
function dilateAxis(b: GraphBuilder, v: Value, axis: number, factor: number): Value {
  if (factor === 1) return v;
  const n = v.shape[axis]!;
  const withAxis = b.unsqueeze(v, [axis + 1]);
  const zerosShape = [...withAxis.shape];
  zerosShape[axis + 1] = factor - 1;
  const merged = [...v.shape];
  merged[axis] = n * factor;
  const interleaved = b.reshape(b.concat([withAxis, b.expand(b.scalar(0, v.dtype), zerosShape)], axis + 1), merged);
  return b.slice(interleaved, { starts: [0], ends: [(n - 1) * factor + 1], axes: [axis] });
}

/**
 * dW via shifted copies of dY instead of shifted copies of X: place dY (dilated by the stride) at every tap's
 * offset relative to the unpadded input (zero padding contributes nothing, so X itself is never padded or
 * copied), stack the taps along channels, and do ONE batched GEMM X[N, C_in, H*W] x D[N, H*W, taps * C_out].
 * Copies taps x C_out channels instead of taps x C_in, so it wins when C_out < C_in (e.g. a LoRA
 * down-projection A with C_out = rank): measured ~2.5x faster than 'taps' on the CPU EP.
 */
function weightGradByShifts(b: GraphBuilder, x: Value, g: Value, kernel: readonly [number, number], geo: Conv2dGeometry): Value {
  const [n, cin, h, w] = x.shape as [number, number, number, number];
  const cout = g.shape[1]!;
  const [kh, kw] = kernel;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const [top, left] = [geo.pads[0], geo.pads[1]];
  const dilated = dilateAxis(b, dilateAxis(b, g, 2, sh), 3, sw);
  const [gh, gw] = [dilated.shape[2]!, dilated.shape[3]!];
  // Output (oh, ow) of tap (i, j) reads input (oh*s + i*d - top, ow*s + j*d - left): tap (i, j)'s copy is dY
  // placed at that offset on an h x w canvas. One zero-padded dY holds every tap's canvas as a window, so
  // each tap is a single Slice of it (a Pad and a Slice per tap cost 9 extra full-size copies for a 3x3).
  const rowOffsets = Array.from({ length: kh }, (_, i) => i * dh - top);
  const colOffsets = Array.from({ length: kw }, (_, j) => j * dw - left);
  const padTop = Math.max(0, ...rowOffsets);
  const padLeft = Math.max(0, ...colOffsets);
  const padBottom = Math.max(0, ...rowOffsets.map((o) => h - gh - o));
  const padRight = Math.max(0, ...colOffsets.map((o) => w - gw - o));
  const canvas = padTop || padLeft || padBottom || padRight ? b.pad(dilated, [0, 0, padTop, padLeft, 0, 0, padBottom, padRight]) : dilated;
  const shifted: Value[] = [];
  for (const rowOffset of rowOffsets) {
    for (const colOffset of colOffsets) {
      const [r, c] = [padTop - rowOffset, padLeft - colOffset];
      const whole = r === 0 && c === 0 && canvas.shape[2] === h && canvas.shape[3] === w;
      shifted.push(whole ? canvas : b.slice(canvas, { starts: [r, c], ends: [r + h, c + w], axes: [2, 3] }));
    }
  }
  const stacked = b.transpose(b.reshape(b.concat(shifted, 1), [n, kh * kw * cout, h * w]), [0, 2, 1]);
  const prod = b.matmul(b.reshape(x, [n, cin, h * w]), stacked); // [N, C_in, taps * C_out]
  const summed = n > 1 ? b.reduceSum(prod, [0], false) : b.reshape(prod, [cin, kh * kw * cout]);
  return b.transpose(b.reshape(summed, [cin, kh, kw, cout]), [3, 0, 1, 2]);
}

/** dW[co, ci, i, j] = sum_{n, oh, ow} dY[n, co, oh, ow] * Xpad[n, ci, oh*s + i*d, ow*s + j*d]: one GEMM per tap. */
function weightGradByTaps(b: GraphBuilder, x: Value, g: Value, kernel: readonly [number, number], geo: Conv2dGeometry): Value {
  const [n, cin] = [x.shape[0]!, x.shape[1]!];
  const [cout, ho, wo] = [g.shape[1]!, g.shape[2]!, g.shape[3]!];
  const [kh, kw] = kernel;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const groups = geo.group;
  const [cinG, coutG] = [cin / groups, cout / groups];
  const [top, left, bottom, right] = geo.pads;
  const padded = top || left || bottom || right ? b.pad(x, [0, 0, top, left, 0, 0, bottom, right]) : x;
  const depthwise = cinG === 1 && coutG === 1;
  const taps: Value[] = [];
  const hw = ho * wo;
  if (depthwise) {
    // Each channel convolves only itself: elementwise product and a sum, no GEMM needed.
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const xs = tapSlice(b, padded, i * dh, j * dw, ho, wo, sh, sw);
        taps.push(b.reshape(b.reduceSum(b.mul(g, xs), [0, 2, 3], false), [cout, 1, 1]));
      }
    }
    return b.reshape(b.concat(taps, 2), [cout, 1, kh, kw]);
  }
  if (groups === 1) {
    // NHWC once, so every tap slice reshapes straight to [N, HW, C_in] without its own transpose.
    const nhwc = b.transpose(padded, [0, 2, 3, 1]);
    const gFlat = b.reshape(g, [n, cout, hw]);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const xs = b.slice(nhwc, {
          starts: [i * dh, j * dw],
          ends: [i * dh + sh * (ho - 1) + 1, j * dw + sw * (wo - 1) + 1],
          axes: [1, 2],
          steps: [sh, sw],
        });
        const prod = b.matmul(gFlat, b.reshape(xs, [n, hw, cin]));
        taps.push(b.reshape(n > 1 ? b.reduceSum(prod, [0], false) : prod, [cout, cin, 1]));
      }
    }
    return b.reshape(b.concat(taps, 2), [cout, cin, kh, kw]);
  }
  const gGrouped = b.reshape(g, [n, groups, coutG, hw]);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const xs = tapSlice(b, padded, i * dh, j * dw, ho, wo, sh, sw);
      const xg = b.transpose(b.reshape(xs, [n, groups, cinG, hw]), [0, 1, 3, 2]);
      const prod = b.matmul(gGrouped, xg); // [N, G, C_out/G, C_in/G]
      taps.push(b.reshape(b.reduceSum(prod, [0], false), [cout, cinG, 1]));
    }
  }
  return b.reshape(b.concat(taps, 2), [cout, cinG, kh, kw]);
}

function tapSlice(b: GraphBuilder, padded: Value, i: number, j: number, ho: number, wo: number, sh: number, sw: number): Value {
  return b.slice(padded, { starts: [i, j], ends: [i + sh * (ho - 1) + 1, j + sw * (wo - 1) + 1], axes: [2, 3], steps: [sh, sw] });
}

/**
 * The transposed-conv trick: batch and channel axes swap roles; stride and dilation swap roles. ORT's CPU Conv
 * expands (im2col) each batch item of its input, so the cost grows with the batch axis: X^T's C_in items, or,
 * for unit stride and dilation with C_out < C_in, dY^T's C_out items (weightGradBySwappedConv).
 */
function weightGradByConv(b: GraphBuilder, x: Value, g: Value, kernel: readonly [number, number], geo: Conv2dGeometry): Value {
  const unit = geo.strides.every((s) => s === 1) && geo.dilations.every((d) => d === 1);
  if (unit && g.shape[1]! < x.shape[1]!) return weightGradBySwappedConv(b, x, g, kernel, geo);
  const xt = b.transpose(x, [1, 0, 2, 3]); // [C_in, N, H, W]
  const gt = b.transpose(g, [1, 0, 2, 3]); // [C_out, N, Ho, Wo]
  let gw = b.conv(xt, gt, null, { strides: geo.dilations, dilations: geo.strides, pads: geo.pads }); // [C_in, C_out, kh', kw']
  if (gw.shape[2] !== kernel[0] || gw.shape[3] !== kernel[1]) {
    gw = b.slice(gw, { starts: [0, 0], ends: [kernel[0], kernel[1]], axes: [2, 3] });
  }
  return b.transpose(gw, [1, 0, 2, 3]);
}

/**
 * Unit stride and dilation: dW[o, c, i, j] = sum_{n, h, w} dY[n, o, h - i + top, w - j + left] X[n, c, h, w], a
 * Conv of dY^T [C_out, N, Ho, Wo] (zero-padded) with X^T [C_in, N, H, W] as the kernel. Its output index u
 * reads dY at h + u - (kh - 1 - top), so it runs over the taps backwards: u = kh - 1 - i; a reverse of the
 * tiny [C_out, C_in, kh, kw] result restores the order.
 */
function weightGradBySwappedConv(b: GraphBuilder, x: Value, g: Value, kernel: readonly [number, number], geo: Conv2dGeometry): Value {
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  const [ho, wo] = [g.shape[2]!, g.shape[3]!];
  const [kh, kw] = kernel;
  const [top, left] = [geo.pads[0], geo.pads[1]];
  // Output size (ho + padTop + padBottom) - h + 1 must be kh.
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = kh - 1 + h - ho - padTop;
  const padRight = kw - 1 + w - wo - padLeft;
  const gt = b.transpose(g, [1, 0, 2, 3]); // [C_out, N, Ho, Wo]
  const xt = b.transpose(x, [1, 0, 2, 3]); // [C_in, N, H, W]
  const pads = [padTop, padLeft, padBottom, padRight];
  // Negative pads crop: only possible when the forward conv's pads exceed the kernel's reach (unusual).
  const cropped = pads.some((p) => p < 0)
    ? b.slice(gt, { starts: [Math.max(0, -padTop), Math.max(0, -padLeft)], ends: [ho - Math.max(0, -padBottom), wo - Math.max(0, -padRight)], axes: [2, 3] })
    : gt;
  const flipped = b.conv(cropped, xt, null, { pads: pads.map((p) => Math.max(0, p)) }); // [C_out, C_in, kh, kw], taps reversed
  return reverseAxis(b, reverseAxis(b, flipped, 2), 3);
}

/** Kernel flipped spatially with in/out channels swapped per group: [C_in, C_out / group, kh, kw]. */
function flipKernelData(w: Float32Array, shape: readonly number[], groups: number): Float32Array {
  const [cout, cinG, kh, kw] = shape as [number, number, number, number];
  const coutG = cout / groups;
  const out = new Float32Array(w.length);
  for (let gi = 0; gi < groups; gi++) {
    for (let o = 0; o < coutG; o++) {
      for (let c = 0; c < cinG; c++) {
        for (let u = 0; u < kh; u++) {
          for (let v = 0; v < kw; v++) {
            const src = (((gi * coutG + o) * cinG + c) * kh + u) * kw + v;
            const dst = (((gi * cinG + c) * coutG + o) * kh + (kh - 1 - u)) * kw + (kw - 1 - v);
            out[dst] = w[src]!;
          }
        }
      }
    }
  }
  return out;
}

function flipKernelInGraph(b: GraphBuilder, w: Value, groups: number): Value {
  const [cout, cinG, kh, kw] = w.shape as [number, number, number, number];
  const flipped = reverseAxis(b, reverseAxis(b, w, 2), 3);
  const grouped = b.reshape(flipped, [groups, cout / groups, cinG, kh, kw]);
  return b.reshape(b.transpose(grouped, [0, 2, 1, 3, 4]), [groups * cinG, cout / groups, kh, kw]);
}

function convInputGradient(ctx: GradientContext, geo: Conv2dGeometry): Value {
  const { b, node } = ctx;
  const [x, w] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const [kh, kw] = [w.shape[2]!, w.shape[3]!];
  const [dh, dw] = geo.dilations;
  const [top, left, bottom, right] = geo.pads;
  const unitStride = geo.strides[0] === 1 && geo.strides[1] === 1;
  // A stride-1 conv's input gradient is a conv of dY with the flipped kernel, padded by d*(k-1) - pad.
  const flipPads = [dh * (kh - 1) - top, dw * (kw - 1) - left, dh * (kh - 1) - bottom, dw * (kw - 1) - right];
  const flipPossible = unitStride && flipPads.every((p) => p >= 0);
  const constantW = b.constantFloats(w);
  const strategy = ctx.options.convInputGrad;
  // ORT's CPU ConvTranspose is 2-10x slower than Conv even for dynamic weights, so 'auto' flips whenever it can.
  const useFlip = flipPossible && strategy !== 'convTranspose';
  if (useFlip) {
    const kernel = constantW
      ? b.constant(flipKernelData(constantW, w.shape, geo.group), [x.shape[1]!, w.shape[0]! / geo.group, kh, kw], w.dtype)
      : flipKernelInGraph(b, w, geo.group);
    return b.conv(g, kernel, null, { pads: flipPads, dilations: geo.dilations, group: geo.group });
  }
  if (!unitStride && strategy !== 'convTranspose') return convInputGradByPhases(b, x, w, g, geo);
  const outputPadding = [0, 1].map((a) => {
    const k = w.shape[2 + a]!;
    const full = (g.shape[2 + a]! - 1) * geo.strides[a]! - geo.pads[a]! - geo.pads[a + 2]! + geo.dilations[a]! * (k - 1) + 1;
    return x.shape[2 + a]! - full;
  });
  return b.convTranspose(g, w, null, {
    strides: geo.strides,
    pads: geo.pads,
    dilations: geo.dilations,
    group: geo.group,
    outputPadding,
  });
}

export const convGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const geo = geometry(node);
  const [x, w] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  const gx = ctx.needs[0] ? convInputGradient(ctx, geo) : null;
  const gw = ctx.needs[1] ? convWeightGradient(b, x, g, [w.shape[2]!, w.shape[3]!], geo, ctx.options.convWeightGrad) : null;
  const gb = node.inputs[2] && ctx.needs[2] ? b.reduceSum(g, [0, 2, 3], false) : null;
  return [gx, gw, gb];
};

export const convTransposeGrad: GradientRule = (ctx) => {
  const { b, node } = ctx;
  const geo = geometry(node);
  const [x, w] = [node.input(0), node.input(1)];
  const g = dy(ctx);
  // ConvTranspose is the adjoint of Conv with the same geometry, so dX is that Conv applied to dY.
  const gx = ctx.needs[0] ? b.conv(g, w, null, { strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group: geo.group }) : null;
  const gw = ctx.needs[1] ? convWeightGradient(b, g, x, [w.shape[2]!, w.shape[3]!], geo, ctx.options.convWeightGrad) : null;
  const gb = node.inputs[2] && ctx.needs[2] ? b.reduceSum(g, [0, 2, 3], false) : null;
  return [gx, gw, gb];
};
