import { createImage, luminance } from '../image/image';
import { boxBlurPlane, gaussianBlurPlane, gradientMagnitude } from '../image/filters';
import { createRng } from '../util/rng';
import type { ConceptTeacher } from './teacher';
import { clamp01, contentSeed, guidedSmooth, hsvToRgb, kuwahara, rgbToHsv, scaledRadius, sizeScale, smoothstep, valueNoise, xdogLines } from './ops';

/** Artistic-medium teachers: drawing and painting looks built from smoothing and edge maps. */

export const pencilSketch: ConceptTeacher = {
  id: 'pencil-sketch',
  name: 'pencil sketch',
  description: 'Graphite drawing on paper: colour-dodge line extraction with diagonal hatching in the shadows.',
  apply(image) {
    const { width, height } = image;
    const gray = luminance(image);
    const s = Math.max(0.5, sizeScale(image));
    // Colour dodge of the gray by its blurred self: flat areas go white, edges and detail stay as strokes.
    const blurred = gaussianBlurPlane(gray, width, height, 4 * s);
    const rng = createRng(contentSeed(image, 'pencil-sketch'));
    const paper = valueNoise(width, height, Math.max(2, Math.round(3 * s)), rng);
    const softTone = gaussianBlurPlane(gray, width, height, 2 * s);
    const out = createImage(width, height);
    const period = 5 * s;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const dodge = Math.min(1, gray[i]! / Math.max(1e-3, blurred[i]! + 0.02));
        let line = dodge ** 3;
        // Hatching: diagonal strokes whose darkness grows as the scene gets darker.
        const shade = 1 - softTone[i]!;
        const phase = ((x + y) / period) % 1;
        const stroke = smoothstep(0.35, 0.5, phase) * (1 - smoothstep(0.5, 0.65, phase));
        const hatch = 1 - stroke * smoothstep(0.45, 0.85, shade) * 0.35;
        const crossPhase = ((x - y + 4096 * period) / period) % 1;
        const cross = smoothstep(0.35, 0.5, crossPhase) * (1 - smoothstep(0.5, 0.65, crossPhase));
        const crossHatch = 1 - cross * smoothstep(0.7, 0.95, shade) * 0.35;
        line *= hatch * crossHatch;
        const grain = 0.94 + 0.06 * paper[i]!;
        const v = clamp01(line * grain);
        // Warm off-white paper, graphite slightly cool.
        out.data[i * 3] = v * 0.97 + 0.02 * (1 - v);
        out.data[i * 3 + 1] = v * 0.95 + 0.02 * (1 - v);
        out.data[i * 3 + 2] = v * 0.9 + 0.04 * (1 - v);
      }
    }
    return out;
  },
};

export const cartoon: ConceptTeacher = {
  id: 'cartoon',
  name: 'cartoon',
  description: 'Cel-shaded cartoon: edge-preserving smoothing, quantised tones with punchier colour, inked outlines.',
  apply(image) {
    const { width, height } = image;
    const smooth = guidedSmooth(image, scaledRadius(image, 5), 0.005);
    const lines = xdogLines(luminance(smooth), width, height, { sigma: 1.0 * Math.max(0.5, sizeScale(image)), tau: 0.99, phi: 70, epsilon: 0.0 });
    const hsv = new Float32Array(3);
    const px = new Float32Array(3);
    const out = createImage(width, height);
    const levels = 5;
    for (let i = 0; i < width * height; i++) {
      const p = i * 3;
      rgbToHsv(smooth.data[p]!, smooth.data[p + 1]!, smooth.data[p + 2]!, hsv);
      // Quantise brightness into flat bands (cel shading) and saturation more coarsely; keep hue.
      const v = (Math.floor(hsv[2]! * levels) + 0.5) / levels;
      const s = Math.min(1, (Math.round(hsv[1]! * 4) / 4) * 1.25);
      hsvToRgb(hsv[0]!, s, Math.min(1, v * 1.08), px);
      const ink = smoothstep(0.25, 0.75, lines[i]!);
      out.data[p] = clamp01(px[0]! * ink);
      out.data[p + 1] = clamp01(px[1]! * ink);
      out.data[p + 2] = clamp01(px[2]! * ink);
    }
    return out;
  },
};

export const oilPaint: ConceptTeacher = {
  id: 'oil-paint',
  name: 'oil painting',
  description: 'Kuwahara filter for flat brush patches, richer colour and a light canvas relief.',
  apply(image) {
    const { width, height } = image;
    const painted = kuwahara(image, scaledRadius(image, 3, 2));
    const gray = luminance(painted);
    // Brush relief: lighting the painted luminance from the top left gives impasto highlights.
    const hsv = new Float32Array(3);
    const px = new Float32Array(3);
    const out = createImage(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const p = i * 3;
        const xm = x > 0 ? i - 1 : i,
          ym = y > 0 ? i - width : i;
        const relief = gray[i]! - gray[xm]! + (gray[i]! - gray[ym]!);
        rgbToHsv(painted.data[p]!, painted.data[p + 1]!, painted.data[p + 2]!, hsv);
        hsvToRgb(hsv[0]!, Math.min(1, hsv[1]! * 1.2), hsv[2]!, px);
        const shade = 1 + 0.8 * relief;
        out.data[p] = clamp01(px[0]! * shade);
        out.data[p + 1] = clamp01(px[1]! * shade);
        out.data[p + 2] = clamp01(px[2]! * shade);
      }
    }
    return out;
  },
};

export const watercolour: ConceptTeacher = {
  id: 'watercolour',
  name: 'watercolour painting',
  description: 'Soft, light washes with wobbly bleeding edges, darker pigment rims and textured paper.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const washes = guidedSmooth(image, scaledRadius(image, 6), 0.02);
    const rng = createRng(contentSeed(image, 'watercolour'));
    // Low-frequency noise displaces where each pixel samples the wash: edges wobble like wet paint.
    const wobbleX = valueNoise(width, height, Math.max(3, Math.round(14 * s)), rng);
    const wobbleY = valueNoise(width, height, Math.max(3, Math.round(14 * s)), rng);
    const blotchLarge = valueNoise(width, height, Math.max(4, Math.round(28 * s)), rng);
    const blotchSmall = valueNoise(width, height, Math.max(2, Math.round(8 * s)), rng);
    const tooth = valueNoise(width, height, Math.max(1, Math.round(1.5 * s)), rng);
    const gray = luminance(washes);
    // Pigment pools at the rim of a wash as it dries: darken where the blurred tone changes.
    const edges = gradientMagnitude(gaussianBlurPlane(gray, width, height, 1.5 * s), width, height);
    const pooled = boxBlurPlane(edges, width, height, Math.max(1, Math.round(s)));
    const amplitude = 3 * s;
    const out = createImage(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const sx = Math.min(width - 1, Math.max(0, Math.round(x + (wobbleX[i]! - 0.5) * 2 * amplitude)));
        const sy = Math.min(height - 1, Math.max(0, Math.round(y + (wobbleY[i]! - 0.5) * 2 * amplitude)));
        const src = (sy * width + sx) * 3;
        const density = 0.62 + 0.22 * blotchLarge[i]! + 0.12 * blotchSmall[i]! + 0.9 * Math.min(0.45, pooled[sy * width + sx]!);
        const paperTone = 0.93 + 0.07 * tooth[i]!;
        for (let c = 0; c < 3; c++) {
          // Transparent pigment over white paper: absorbed light scales with pigment density.
          const pigment = 1 - washes.data[src + c]!;
          const absorbed = clamp01(pigment * density);
          out.data[i * 3 + c] = clamp01((1 - absorbed) * paperTone * (c === 2 ? 0.97 : 1));
        }
      }
    }
    return out;
  },
};

export const inkWash: ConceptTeacher = {
  id: 'ink-wash',
  name: 'sumi-e ink wash painting',
  description: 'East Asian ink painting: three soft gray ink washes, bold brush lines and warm rice paper.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const smooth = guidedSmooth(image, scaledRadius(image, 5), 0.01);
    const gray = luminance(smooth);
    const lines = xdogLines(gray, width, height, { sigma: 1.3 * s, tau: 0.985, phi: 50, epsilon: 0 });
    const rng = createRng(contentSeed(image, 'ink-wash'));
    const fibres = valueNoise(width, height, Math.max(1, Math.round(2 * s)), rng);
    const bleed = valueNoise(width, height, Math.max(3, Math.round(16 * s)), rng);
    // Washes bleed: the tone is softened before quantising, so bands have soft, uneven edges.
    const tone = gaussianBlurPlane(gray, width, height, 1.5 * s);
    const out = createImage(width, height);
    for (let i = 0; i < width * height; i++) {
      const t = clamp01(tone[i]! + (bleed[i]! - 0.5) * 0.05);
      // Three washes: light, mid and dark ink, with smooth transitions of a few tone levels.
      const ink = 0.25 * (1 - smoothstep(0.5, 0.66, t)) + 0.28 * (1 - smoothstep(0.28, 0.42, t)) + 0.3 * (1 - smoothstep(0.08, 0.2, t));
      const stroke = 1 - smoothstep(0.2, 0.8, lines[i]!);
      const value = (1 - Math.min(0.95, ink + 0.85 * stroke)) * (0.95 + 0.05 * fibres[i]!);
      out.data[i * 3] = clamp01(value * 0.98 + 0.01);
      out.data[i * 3 + 1] = clamp01(value * 0.95 + 0.01);
      out.data[i * 3 + 2] = clamp01(value * 0.86 + 0.02);
    }
    return out;
  },
};

export const paintTeachers: readonly ConceptTeacher[] = [pencilSketch, cartoon, oilPaint, watercolour, inkWash];
