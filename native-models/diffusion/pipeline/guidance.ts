/**
 * Classifier-free guidance combinations, kept as small pure functions so they are tested on their own.
 */

/** Text-only CFG: uncond + g * (cond - uncond). */
export function combineTextGuidance(cond: Float32Array, uncond: Float32Array, guidanceScale: number): Float32Array {
  if (cond.length !== uncond.length) throw new Error(`guidance: cond has ${cond.length} values, uncond ${uncond.length}`);
  const out = new Float32Array(cond.length);
  for (let i = 0; i < out.length; i++) out[i] = uncond[i]! + guidanceScale * (cond[i]! - uncond[i]!);
  return out;
}

/**
 * InstructPix2Pix's 3-way guidance (Brooks et al. 2023, eq. 3): the text term pushes from "image only" towards
 * "image + instruction", the image term pushes from "nothing" towards "image only".
 *   uncond + g_text * (text - image) + g_image * (image - uncond)
 * where `text` is conditioned on image + prompt, `image` on the image only, `uncond` on neither.
 */
export function combineInstructPix2PixGuidance(
  text: Float32Array,
  image: Float32Array,
  uncond: Float32Array,
  guidanceScale: number,
  imageGuidanceScale: number,
): Float32Array {
  if (text.length !== image.length || text.length !== uncond.length) {
    throw new Error(`guidance: branch sizes differ (text ${text.length}, image ${image.length}, uncond ${uncond.length})`);
  }
  const out = new Float32Array(text.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = uncond[i]! + guidanceScale * (text[i]! - image[i]!) + imageGuidanceScale * (image[i]! - uncond[i]!);
  }
  return out;
}

/**
 * The guidance-scale embedding LCM-distilled UNets take as `timestep_cond` (sinusoidal in w * 1000, as
 * diffusers' get_guidance_scale_embedding with w = guidance_scale - 1).
 */
export function guidanceScaleEmbedding(guidanceScale: number, dim: number): Float32Array {
  const w = (guidanceScale - 1) * 1000;
  const half = Math.floor(dim / 2);
  const out = new Float32Array(dim);
  const step = half > 1 ? Math.log(10000) / (half - 1) : 0;
  for (let i = 0; i < half; i++) {
    const angle = w * Math.exp(-step * i);
    out[i] = Math.sin(angle);
    out[half + i] = Math.cos(angle);
  }
  return out;
}
