/**
 * Float64 reference implementations of the forward ops, written as plain loops straight from the ONNX
 * operator definitions. They share no code with the builder or the gradient rules, so finite differences
 * through them are an independent check of the ONNX backward graphs.
 */

export interface T64 {
  shape: number[];
  data: Float64Array;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function tensor(shape: number[], data: ArrayLike<number>): T64 {
  if (data.length !== size(shape)) throw new Error(`tensor: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = index % shape[i]!;
    index = Math.floor(index / shape[i]!);
  }
  return out;
}

function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

/** Reads t at a multi-index of a (possibly larger) broadcast shape. */
function readBroadcast(t: T64, idx: number[]): number {
  const lead = idx.length - t.shape.length;
  let flat = 0;
  for (let i = 0; i < t.shape.length; i++) flat = flat * t.shape[i]! + (t.shape[i] === 1 ? 0 : idx[lead + i]!);
  return t.data[flat]!;
}

export function map(x: T64, f: (v: number) => number): T64 {
  return { shape: [...x.shape], data: x.data.map(f) };
}

export function zip(f: (...v: number[]) => number, ...ts: T64[]): T64 {
  const shape = broadcastShape(...ts.map((t) => t.shape));
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    data[i] = f(...ts.map((t) => readBroadcast(t, idx)));
  }
  return { shape, data };
}

/** erf by its Maclaurin series (|x| < 3 in these tests), accurate to ~1e-13. */
export function erf(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export function matmul(a: T64, b: T64): T64 {
  const [m, k] = [a.shape[a.shape.length - 2]!, a.shape[a.shape.length - 1]!];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = new Float64Array(size(batch) * m * n);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const offset = (shape: number[], idx: number[]) => {
    const lead = idx.length - shape.length;
    let flat = 0;
    for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + (shape[i] === 1 ? 0 : idx[lead + i]!);
    return flat;
  };
  for (let bi = 0; bi < size(batch); bi++) {
    const idx = unravel(bi, batch);
    const ao = offset(aBatch, idx) * m * k;
    const bo = offset(bBatch, idx) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.data[ao + i * k + q]! * b.data[bo + q * n + j]!;
        out[bi * m * n + i * n + j] = s;
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}

export function transpose(x: T64, perm: number[]): T64 {
  const shape = perm.map((p) => x.shape[p]!);
  const xs = stridesOf(x.shape);
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    let src = 0;
    perm.forEach((p, k) => (src += idx[k]! * xs[p]!));
    data[i] = x.data[src]!;
  }
  return { shape, data };
}

export function gemm(a: T64, b: T64, c: T64 | null, o: { alpha: number; beta: number; transA: boolean; transB: boolean }): T64 {
  const A = o.transA ? transpose(a, [1, 0]) : a;
  const B = o.transB ? transpose(b, [1, 0]) : b;
  const ab = matmul(A, B);
  return c ? zip((p, q) => o.alpha * p + o.beta * q, ab, c) : map(ab, (v) => o.alpha * v);
}

export interface ConvGeometry {
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
}

/** Direct-summation 2-D convolution (NCHW). */
export function conv2d(x: T64, w: T64, bias: T64 | null, g: ConvGeometry): T64 {
  const [n, cin, h, wd] = x.shape as [number, number, number, number];
  const [cout, cinG, kh, kw] = w.shape as [number, number, number, number];
  const coutG = cout / g.group;
  const ho = Math.floor((h + g.pads[0] + g.pads[2] - g.dilations[0] * (kh - 1) - 1) / g.strides[0]) + 1;
  const wo = Math.floor((wd + g.pads[1] + g.pads[3] - g.dilations[1] * (kw - 1) - 1) / g.strides[1]) + 1;
  const out = new Float64Array(n * cout * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      const grp = Math.floor(co / coutG);
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          let s = bias ? bias.data[co]! : 0;
          for (let ci = 0; ci < cinG; ci++) {
            for (let u = 0; u < kh; u++) {
              const iy = oy * g.strides[0] + u * g.dilations[0] - g.pads[0];
              if (iy < 0 || iy >= h) continue;
              for (let v = 0; v < kw; v++) {
                const ix = ox * g.strides[1] + v * g.dilations[1] - g.pads[1];
                if (ix < 0 || ix >= wd) continue;
                s += x.data[((b * cin + grp * cinG + ci) * h + iy) * wd + ix]! * w.data[((co * cinG + ci) * kh + u) * kw + v]!;
              }
            }
          }
          out[((b * cout + co) * ho + oy) * wo + ox] = s;
        }
      }
    }
  }
  return { shape: [n, cout, ho, wo], data: out };
}

/** Scatter form of ConvTranspose (each input pixel adds its weighted kernel to the output). */
export function convTranspose2d(x: T64, w: T64, bias: T64 | null, g: ConvGeometry & { outputPadding: [number, number] }): T64 {
  const [n, cin, h, wd] = x.shape as [number, number, number, number];
  const [, coutG, kh, kw] = w.shape as [number, number, number, number];
  const cinG = cin / g.group;
  const cout = coutG * g.group;
  const ho = g.strides[0] * (h - 1) + g.outputPadding[0] + (kh - 1) * g.dilations[0] + 1 - g.pads[0] - g.pads[2];
  const wo = g.strides[1] * (wd - 1) + g.outputPadding[1] + (kw - 1) * g.dilations[1] + 1 - g.pads[1] - g.pads[3];
  const out = new Float64Array(n * cout * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < cin; ci++) {
      const grp = Math.floor(ci / cinG);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < wd; ix++) {
          const xv = x.data[((b * cin + ci) * h + iy) * wd + ix]!;
          for (let o = 0; o < coutG; o++) {
            const co = grp * coutG + o;
            for (let u = 0; u < kh; u++) {
              const oy = iy * g.strides[0] + u * g.dilations[0] - g.pads[0];
              if (oy < 0 || oy >= ho) continue;
              for (let v = 0; v < kw; v++) {
                const ox = ix * g.strides[1] + v * g.dilations[1] - g.pads[1];
                if (ox < 0 || ox >= wo) continue;
                out[((b * cout + co) * ho + oy) * wo + ox] += xv * w.data[((ci * coutG + o) * kh + u) * kw + v]!;
              }
            }
          }
        }
      }
    }
  }
  if (bias) for (let i = 0; i < out.length; i++) out[i] += bias.data[Math.floor(i / (ho * wo)) % cout]!;
  return { shape: [n, cout, ho, wo], data: out };
}

/** Mean / variance normalization of contiguous blocks of `block` elements. */
function normalizeBlocks(data: Float64Array, block: number, eps: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let s = 0; s < data.length; s += block) {
    let mean = 0;
    for (let i = 0; i < block; i++) mean += data[s + i]!;
    mean /= block;
    let variance = 0;
    for (let i = 0; i < block; i++) variance += (data[s + i]! - mean) ** 2;
    variance /= block;
    const r = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < block; i++) out[s + i] = (data[s + i]! - mean) * r;
  }
  return out;
}

export function instanceNorm(x: T64, scale: T64, bias: T64, eps: number): T64 {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const plane = size(x.shape.slice(2));
  const norm = normalizeBlocks(x.data, plane, eps);
  for (let i = 0; i < n * c; i++) {
    for (let j = 0; j < plane; j++) norm[i * plane + j] = norm[i * plane + j]! * scale.data[i % c]! + bias.data[i % c]!;
  }
  return { shape: [...x.shape], data: norm };
}

export function groupNorm(x: T64, scale: T64, bias: T64, groups: number, eps: number): T64 {
  const c = x.shape[1]!;
  const plane = size(x.shape.slice(2));
  const norm = normalizeBlocks(x.data, (c / groups) * plane, eps);
  for (let i = 0; i < norm.length; i++) {
    const ch = Math.floor(i / plane) % c;
    norm[i] = norm[i]! * scale.data[ch]! + bias.data[ch]!;
  }
  return { shape: [...x.shape], data: norm };
}

export function layerNorm(x: T64, scale: T64, bias: T64 | null, axis: number, eps: number): T64 {
  const block = size(x.shape.slice(axis));
  const norm = normalizeBlocks(x.data, block, eps);
  const normShape = x.shape.slice(axis);
  for (let i = 0; i < norm.length; i++) {
    const idx = unravel(i % block, normShape);
    norm[i] = norm[i]! * readBroadcast(scale, idx) + (bias ? readBroadcast(bias, idx) : 0);
  }
  return { shape: [...x.shape], data: norm };
}

/** Applies f to every 1-D fibre along `axis`. */
function alongAxis(x: T64, axis: number, f: (fibre: number[]) => number[]): T64 {
  const len = x.shape[axis]!;
  const inner = size(x.shape.slice(axis + 1));
  const outer = size(x.shape.slice(0, axis));
  const data = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const fibre = Array.from({ length: len }, (_, k) => x.data[(o * len + k) * inner + i]!);
      f(fibre).forEach((v, k) => (data[(o * len + k) * inner + i] = v));
    }
  }
  return { shape: [...x.shape], data };
}

export function softmax(x: T64, axis: number): T64 {
  return alongAxis(x, axis, (v) => {
    const m = Math.max(...v);
    const e = v.map((q) => Math.exp(q - m));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((q) => q / s);
  });
}

export function logSoftmax(x: T64, axis: number): T64 {
  return map(softmax(x, axis), Math.log);
}

export function reduce(x: T64, axes: number[], keepdims: boolean, kind: 'sum' | 'mean' | 'max'): T64 {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const data = new Float64Array(size(kept)).fill(kind === 'max' ? -Infinity : 0);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, k) => (axes.includes(k) ? 0 : v));
    let flat = 0;
    for (let k = 0; k < kept.length; k++) flat = flat * kept[k]! + idx[k]!;
    data[flat] = kind === 'max' ? Math.max(data[flat]!, x.data[i]!) : data[flat]! + x.data[i]!;
  }
  if (kind === 'mean') for (let i = 0; i < data.length; i++) data[i] = data[i]! / count;
  return { shape: keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i)), data };
}

export function concat(ts: T64[], axis: number): T64 {
  const shape = [...ts[0]!.shape];
  shape[axis] = ts.reduce((p, t) => p + t.shape[axis]!, 0);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    let k = idx[axis]!;
    let t = 0;
    while (k >= ts[t]!.shape[axis]!) k -= ts[t++]!.shape[axis]!;
    idx[axis] = k;
    const src = ts[t]!;
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat = flat * src.shape[d]! + idx[d]!;
    data[i] = src.data[flat]!;
  }
  return { shape, data };
}

/** Gathers by an index function: out[idx] = x[source(idx)] (source returns null for zero / padding). */
export function remap(x: T64, shape: number[], source: (idx: number[]) => number[] | null): T64 {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const s = source(unravel(i, shape));
    if (!s) continue;
    let flat = 0;
    for (let d = 0; d < x.shape.length; d++) flat = flat * x.shape[d]! + s[d]!;
    data[i] = x.data[flat]!;
  }
  return { shape, data };
}

export function slice(x: T64, starts: number[], ends: number[], axes: number[], steps: number[]): T64 {
  const ranges = x.shape.map((d) => ({ start: 0, step: 1, len: d }));
  axes.forEach((a, i) => {
    const dim = x.shape[a]!;
    let s = starts[i]! < 0 ? starts[i]! + dim : starts[i]!;
    let e = ends[i]! < 0 ? ends[i]! + dim : ends[i]!;
    const st = steps[i]!;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    const len = [] as number[];
    for (let k = s; st > 0 ? k < e : k > e; k += st) len.push(k);
    ranges[a] = { start: s, step: st, len: len.length };
  });
  return remap(
    x,
    ranges.map((r) => r.len),
    (idx) => idx.map((v, d) => ranges[d]!.start + v * ranges[d]!.step),
  );
}

export function pad(x: T64, pads: number[], mode: 'constant' | 'reflect' | 'edge', value = 0): T64 {
  const r = x.shape.length;
  const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
  const out = remap(x, shape, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < r; d++) {
      let k = idx[d]! - pads[d]!;
      const len = x.shape[d]!;
      if (k < 0 || k >= len) {
        if (mode === 'constant') return null;
        if (mode === 'edge') k = k < 0 ? 0 : len - 1;
        else k = k < 0 ? -k : 2 * (len - 1) - k;
      }
      src.push(k);
    }
    return src;
  });
  if (mode === 'constant' && value !== 0) {
    const mask = remap(
      map(x, () => 1),
      shape,
      (idx) => (idx.map((v, d) => v - pads[d]!).some((v, d) => v < 0 || v >= x.shape[d]!) ? null : idx.map((v, d) => v - pads[d]!)),
    );
    for (let i = 0; i < out.data.length; i++) if (mask.data[i] === 0) out.data[i] = value;
  }
  return out;
}

export function depthToSpace(x: T64, bs: number, mode: 'DCR' | 'CRD'): T64 {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const c2 = c / (bs * bs);
  return remap(x, [n, c2, h * bs, w * bs], ([b, oc, oy, ox]) => {
    const [by, bx] = [oy! % bs, ox! % bs];
    const ic = mode === 'DCR' ? (by * bs + bx) * c2 + oc! : (oc! * bs + by) * bs + bx;
    return [b!, ic, Math.floor(oy! / bs), Math.floor(ox! / bs)];
  });
}

export function spaceToDepth(x: T64, bs: number): T64 {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return remap(x, [n, c * bs * bs, h / bs, w / bs], ([b, oc, oy, ox]) => {
    const ic = oc! % c;
    const block = Math.floor(oc! / c);
    return [b!, ic, oy! * bs + Math.floor(block / bs), ox! * bs + (block % bs)];
  });
}

/** Resize on the last two axes, per output pixel from the ONNX formulas (separable weights). */
export function resize2d(
  x: T64,
  outH: number,
  outW: number,
  o: { mode: 'nearest' | 'linear'; ctm: string; nearestMode?: string; scales?: [number, number] },
): T64 {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const axisTaps = (out: number, len: number, inLen: number, scale: number): [number, number][] => {
    let coord: number;
    if (o.ctm === 'half_pixel') coord = (out + 0.5) / scale - 0.5;
    else if (o.ctm === 'pytorch_half_pixel') coord = len > 1 ? (out + 0.5) / scale - 0.5 : 0;
    else if (o.ctm === 'align_corners') coord = len === 1 ? 0 : (out * (inLen - 1)) / (len - 1);
    else coord = out / scale;
    if (o.mode === 'nearest') {
      const mode = o.nearestMode ?? 'round_prefer_floor';
      const fl = Math.floor(coord);
      const frac = coord - fl;
      let k = mode === 'floor' ? fl : mode === 'ceil' ? Math.ceil(coord) : frac === 0.5 ? (mode === 'round_prefer_ceil' ? fl + 1 : fl) : Math.round(coord);
      k = Math.min(Math.max(k, 0), inLen - 1);
      return [[k, 1]];
    }
    const cl = Math.min(Math.max(coord, 0), inLen - 1);
    const k0 = Math.floor(cl);
    const k1 = Math.min(k0 + 1, inLen - 1);
    return [
      [k0, 1 - (cl - k0)],
      [k1, cl - k0],
    ];
  };
  const sh = o.scales ? o.scales[0] : outH / h;
  const sw = o.scales ? o.scales[1] : outW / w;
  const out = new Float64Array(n * c * outH * outW);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let s = 0;
        for (const [iy, wy] of axisTaps(oy, outH, h, sh)) for (const [ix, wx] of axisTaps(ox, outW, w, sw)) s += wy * wx * x.data[(p * h + iy) * w + ix]!;
        out[(p * outH + oy) * outW + ox] = s;
      }
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}
