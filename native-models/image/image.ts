/**
 * The one image type of the ML engine: an RGB image stored HWC-interleaved (r, g, b for pixel (0,0), then
 * (1,0), …, row by row) as Float32 values in [0, 1]. HWC keeps per-pixel operators (teachers, colour maps)
 * simple and cache friendly; models want NCHW in [-1, 1], so `imagesToNchw` / `nchwToImage` convert at the
 * model boundary. Alpha is dropped on read (composited over white by the IO layer).
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** length = width * height * 3, values in [0, 1]. */
  readonly data: Float32Array;
}

/** A dense float tensor as the models see it: NCHW, values in [-1, 1]. */
export interface NchwTensor {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

export function createImage(width: number, height: number, fill = 0): RgbImage {
  assertSize(width, height);
  const data = new Float32Array(width * height * 3);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

export function cloneImage(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, data: image.data.slice() };
}

/** Wraps existing HWC data, checking its length so later index math cannot run off the end. */
export function imageFromData(width: number, height: number, data: Float32Array): RgbImage {
  assertSize(width, height);
  if (data.length !== width * height * 3) {
    throw new Error(`image data length ${data.length} does not match ${width}x${height}x3 = ${width * height * 3}`);
  }
  return { width, height, data };
}

/** From 8-bit interleaved pixels with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels. */
export function imageFromBytes(width: number, height: number, channels: number, bytes: Uint8Array): RgbImage {
  assertSize(width, height);
  if (channels < 1 || channels > 4) throw new Error(`unsupported channel count ${channels} (expected 1-4)`);
  if (bytes.length !== width * height * channels) {
    throw new Error(`pixel buffer length ${bytes.length} does not match ${width}x${height}x${channels}`);
  }
  const image = createImage(width, height);
  const out = image.data;
  const n = width * height;
  const hasAlpha = channels === 2 || channels === 4;
  for (let i = 0; i < n; i++) {
    const src = i * channels;
    let r: number, g: number, b: number;
    if (channels <= 2) {
      r = g = b = bytes[src]! / 255;
    } else {
      r = bytes[src]! / 255;
      g = bytes[src + 1]! / 255;
      b = bytes[src + 2]! / 255;
    }
    if (hasAlpha) {
      // Composite over white: transparent regions of icons and cut-outs read as paper, not black.
      const a = bytes[src + channels - 1]! / 255;
      r = r * a + (1 - a);
      g = g * a + (1 - a);
      b = b * a + (1 - a);
    }
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = b;
  }
  return image;
}

/** To 8-bit interleaved RGB, rounding and clamping. */
export function imageToBytes(image: RgbImage): Uint8Array {
  const src = image.data;
  const bytes = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    bytes[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return bytes;
}

/** Clamps every value into [0, 1] in place (NaN becomes 0) and returns the image. */
export function clampImage(image: RgbImage): RgbImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    d[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return image;
}

/** Stacks same-sized images into one NCHW batch in [-1, 1]. */
export function imagesToNchw(images: readonly RgbImage[]): NchwTensor {
  if (images.length === 0) throw new Error('imagesToNchw needs at least one image');
  const { width, height } = images[0]!;
  const plane = width * height;
  const data = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    if (image.width !== width || image.height !== height) {
      throw new Error(`batch image ${n} is ${image.width}x${image.height}, expected ${width}x${height}`);
    }
    const src = image.data;
    const base = n * 3 * plane;
    for (let i = 0; i < plane; i++) {
      data[base + i] = src[i * 3]! * 2 - 1;
      data[base + plane + i] = src[i * 3 + 1]! * 2 - 1;
      data[base + 2 * plane + i] = src[i * 3 + 2]! * 2 - 1;
    }
  });
  return { data, dims: [images.length, 3, height, width] };
}

export function imageToNchw(image: RgbImage): NchwTensor {
  return imagesToNchw([image]);
}

/** Reads image `index` of an NCHW [-1, 1] batch back into an RgbImage, clamping to [0, 1]. */
export function nchwToImage(tensor: NchwTensor, index = 0): RgbImage {
  const [n, c, height, width] = tensor.dims;
  if (c !== 3) throw new Error(`nchwToImage expects 3 channels, got dims [${tensor.dims.join(', ')}]`);
  if (index < 0 || index >= n) throw new Error(`batch index ${index} out of range for batch of ${n}`);
  const plane = width * height;
  if (tensor.data.length < n * 3 * plane) {
    throw new Error(`tensor data length ${tensor.data.length} is smaller than dims [${tensor.dims.join(', ')}]`);
  }
  const image = createImage(width, height);
  const out = image.data;
  const base = index * 3 * plane;
  for (let i = 0; i < plane; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = (tensor.data[base + ch * plane + i]! + 1) / 2;
      out[i * 3 + ch] = v > 0 ? (v < 1 ? v : 1) : 0;
    }
  }
  return image;
}

/** Rec. 601 luma per pixel, the grey used by every edge and tone operator. */
export function luminance(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const d = image.data;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  return out;
}

/** An RGB image whose three channels all equal the given single-channel plane. */
export function grayToImage(width: number, height: number, plane: Float32Array): RgbImage {
  if (plane.length !== width * height) throw new Error(`plane length ${plane.length} does not match ${width}x${height}`);
  const image = createImage(width, height);
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i]!;
    image.data[i * 3] = v;
    image.data[i * 3 + 1] = v;
    image.data[i * 3 + 2] = v;
  }
  return image;
}

export function assertSameSize(a: RgbImage, b: RgbImage, what: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`${what}: images differ in size (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
}

function assertSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`invalid image size ${width}x${height} (expected positive integers)`);
  }
}
