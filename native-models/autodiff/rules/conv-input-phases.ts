/**
 * Input gradient of a strided 2-D Conv as s_h x s_w stride-1 Convs, one per output phase ("sub-pixel"
 * decomposition), instead of one ConvTranspose. For input row i = q*s + p, only the kernel taps u with
 * (u*d - pad - p) divisible by s contribute, each reading dY[q + (p + pad - u*d) / s]; so every phase is a
 * plain stride-1 Conv of dY with a flipped sub-kernel. Same FLOPs as ConvTranspose, but ORT's Conv kernels
 * (and, for frozen weights, its constant-weight fast path) apply. Phases are interleaved with
 * Reshape/Transpose and cropped to X's size.
 */
import type { GraphBuilder } from '../../graph/builder';
import type { Value } from '../../graph/value';

export interface PhaseGeometry {
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
  group: number;
}

interface AxisPhase {
  /** kernel taps used by this phase, in descending order (the flipped sub-kernel) */
  taps: number[];
  /** dY offset read by the first tap of `taps` */
  firstOffset: number;
  /** dilation of the phase conv */
  dilation: number;
  /** number of input positions with this phase */
  count: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const mod = (a: number, m: number): number => ((a % m) + m) % m;

function axisPhase(phase: number, kernel: number, stride: number, dilation: number, padBegin: number, inputSize: number): AxisPhase {
  const taps: number[] = [];
  for (let u = kernel - 1; u >= 0; u--) if (mod(u * dilation - padBegin - phase, stride) === 0) taps.push(u);
  const count = Math.max(0, Math.ceil((inputSize - phase) / stride));
  const firstOffset = taps.length ? (phase + padBegin - taps[0]! * dilation) / stride : 0;
  return { taps, firstOffset, dilation: dilation / gcd(dilation, stride), count };
}

/** Crops / zero-pads v on spatial axes so that row r of the result is row (r + start) of v, `length` rows. */
function window2d(b: GraphBuilder, v: Value, startH: number, lengthH: number, startW: number, lengthW: number): Value {
  const [h, w] = [v.shape[2]!, v.shape[3]!];
  const cropStart = [Math.max(0, startH), Math.max(0, startW)];
  const cropEnd = [Math.min(h, startH + lengthH), Math.min(w, startW + lengthW)];
  let out = v;
  if (cropStart[0]! > 0 || cropStart[1]! > 0 || cropEnd[0]! < h || cropEnd[1]! < w) {
    out = b.slice(out, { starts: cropStart, ends: cropEnd, axes: [2, 3] });
  }
  const pads = [0, 0, Math.max(0, -startH), Math.max(0, -startW), 0, 0, startH + lengthH - cropEnd[0]!, startW + lengthW - cropEnd[1]!];
  return pads.some((p) => p !== 0) ? b.pad(out, pads) : out;
}

function subKernel(b: GraphBuilder, w: Value, constantW: Float32Array | undefined, tapsH: number[], tapsW: number[], group: number): Value {
  const [cout, cinG, kh, kw] = w.shape as [number, number, number, number];
  const coutG = cout / group;
  const [th, tw] = [tapsH.length, tapsW.length];
  if (constantW) {
    const data = new Float32Array(cinG * group * coutG * th * tw);
    for (let gi = 0; gi < group; gi++)
      for (let o = 0; o < coutG; o++)
        for (let c = 0; c < cinG; c++)
          for (let a = 0; a < th; a++)
            for (let e = 0; e < tw; e++) {
              data[(((gi * cinG + c) * coutG + o) * th + a) * tw + e] = constantW[(((gi * coutG + o) * cinG + c) * kh + tapsH[a]!) * kw + tapsW[e]!]!;
            }
    return b.constant(data, [group * cinG, coutG, th, tw], w.dtype);
  }
  const picked = b.gather(b.gather(w, tapsH, 2), tapsW, 3);
  const grouped = b.reshape(picked, [group, coutG, cinG, th, tw]);
  return b.reshape(b.transpose(grouped, [0, 2, 1, 3, 4]), [group * cinG, coutG, th, tw]);
}

/** dX for y = Conv(x, w) with stride > 1, given dY. */
export function convInputGradByPhases(b: GraphBuilder, x: Value, w: Value, g: Value, geo: PhaseGeometry): Value {
  const [n, cin, h, wd] = x.shape as [number, number, number, number];
  const [kh, kw] = [w.shape[2]!, w.shape[3]!];
  const [sh, sw] = geo.strides;
  const constantW = b.constantFloats(w);
  const rowsPerPhase = Math.ceil(h / sh);
  const colsPerPhase = Math.ceil(wd / sw);
  const rows: Value[] = [];
  for (let ph = 0; ph < sh; ph++) {
    const ah = axisPhase(ph, kh, sh, geo.dilations[0], geo.pads[0], h);
    const cols: Value[] = [];
    for (let pw = 0; pw < sw; pw++) {
      const aw = axisPhase(pw, kw, sw, geo.dilations[1], geo.pads[1], wd);
      let phase: Value;
      if (ah.taps.length === 0 || aw.taps.length === 0 || ah.count === 0 || aw.count === 0) {
        phase = b.expand(b.scalar(0, g.dtype), [n, cin, rowsPerPhase, colsPerPhase]);
      } else {
        const spanH = ah.count + (ah.taps.length - 1) * ah.dilation;
        const spanW = aw.count + (aw.taps.length - 1) * aw.dilation;
        const region = window2d(b, g, ah.firstOffset, spanH, aw.firstOffset, spanW);
        const kernel = subKernel(b, w, constantW, ah.taps, aw.taps, geo.group);
        phase = b.conv(region, kernel, null, { dilations: [ah.dilation, aw.dilation], group: geo.group });
        if (ah.count < rowsPerPhase || aw.count < colsPerPhase) {
          phase = b.pad(phase, [0, 0, 0, 0, 0, 0, rowsPerPhase - ah.count, colsPerPhase - aw.count]);
        }
      }
      cols.push(b.reshape(phase, [n, cin, rowsPerPhase, 1, colsPerPhase, 1]));
    }
    rows.push(cols.length === 1 ? cols[0]! : b.concat(cols, 5));
  }
  const stacked = rows.length === 1 ? rows[0]! : b.concat(rows, 3); // [N, C, rows, s_h, cols, s_w]
  const interleaved = b.reshape(stacked, [n, cin, rowsPerPhase * sh, colsPerPhase * sw]);
  return interleaved.shape[2] === h && interleaved.shape[3] === wd ? interleaved : b.slice(interleaved, { starts: [0, 0], ends: [h, wd], axes: [2, 3] });
}
