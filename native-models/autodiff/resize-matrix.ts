/**
 * Resize as a linear map per spatial axis. Forward Resize (nearest or linear) on one axis is y = A x with a
 * sparse [out, in] matrix A; its gradient is Aᵀ dy. Following the ONNX Resize spec (opset 13-18) and
 * onnxruntime's CPU kernel: x_original = transform(x_resized), linear clamps to [0, in-1] and blends the two
 * neighbours, nearest rounds per nearest_mode and clamps the index.
 */

export interface ResizeAxisSpec {
  inSize: number;
  outSize: number;
  /** The scale the coordinate transform divides by (scales input, or outSize/inSize when sizes were given). */
  scale: number;
  mode: string;
  coordinateTransformationMode: string;
  nearestMode: string;
}

export function originalCoordinate(outIndex: number, spec: ResizeAxisSpec): number {
  const { inSize, outSize, scale } = spec;
  switch (spec.coordinateTransformationMode) {
    case 'half_pixel':
      return (outIndex + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outSize > 1 ? (outIndex + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outSize === 1 ? 0 : (outIndex * (inSize - 1)) / (outSize - 1);
    case 'asymmetric':
      return outIndex / scale;
    default:
      throw new Error(`Resize gradient: coordinate_transformation_mode '${spec.coordinateTransformationMode}' is not supported`);
  }
}

function nearestIndex(coord: number, spec: ResizeAxisSpec): number {
  let index: number;
  const frac = coord - Math.floor(coord);
  switch (spec.nearestMode) {
    case 'round_prefer_floor':
      index = frac === 0.5 ? Math.floor(coord) : Math.round(coord);
      break;
    case 'round_prefer_ceil':
      index = frac === 0.5 ? Math.ceil(coord) : Math.round(coord);
      break;
    case 'floor':
      index = Math.floor(coord);
      break;
    case 'ceil':
      index = Math.ceil(coord);
      break;
    default:
      throw new Error(`Resize gradient: nearest_mode '${spec.nearestMode}' is not supported`);
  }
  return Math.min(Math.max(index, 0), spec.inSize - 1);
}

/** Row-major [outSize, inSize] interpolation matrix of one axis. */
export function resizeAxisMatrix(spec: ResizeAxisSpec): Float32Array {
  const { inSize, outSize } = spec;
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const coord = originalCoordinate(o, spec);
    if (spec.mode === 'nearest') {
      m[o * inSize + nearestIndex(coord, spec)] = 1;
    } else if (spec.mode === 'linear') {
      const c = Math.min(Math.max(coord, 0), inSize - 1);
      const i0 = Math.floor(c);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const t = c - i0;
      m[o * inSize + i0] += 1 - t;
      m[o * inSize + i1] += t;
    } else {
      throw new Error(`Resize gradient: mode '${spec.mode}' is not supported (nearest and linear are)`);
    }
  }
  return m;
}

/** When A replicates every input `factor` times in order, the gradient is a cheap reshape + sum. */
export function replicationFactor(m: Float32Array, spec: ResizeAxisSpec): number | null {
  const { inSize, outSize } = spec;
  if (outSize % inSize !== 0) return null;
  const factor = outSize / inSize;
  for (let o = 0; o < outSize; o++) {
    for (let i = 0; i < inSize; i++) {
      if (m[o * inSize + i] !== (Math.floor(o / factor) === i ? 1 : 0)) return null;
    }
  }
  return factor;
}
