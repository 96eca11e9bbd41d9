import { createImage, luminance } from '../image/image';
import { boxBlurPlane, gaussianBlurPlane, gradientMagnitude } from '../image/filters';
import { createRng } from '../util/rng';
import type { ConceptTeacher } from './teacher';
import {
  clamp01, contentSeed, guidedSmooth, hsvToRgb, kuwahara, rgbToHsv, scaledRadius, sizeScale, smoothstep,
  valueNoise, xdogLines,
} from './ops';

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
        let line = Math.pow(dodge, 3);
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
    const radius = scaledRadius(image, 4);
    const smooth = guidedSmooth(guidedSmooth(image, radius, 0.004), radius, 0.004);
    const lines = xdogLines(luminance(smooth), width, height, { sigma: 1.1 * Math.max(0.5, sizeScale(image)), tau: 0.985, phi: 40, epsilon: 0.0 });
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
    const painted = kuwahara(image, scaledRadius(image, 5, 2));
    const gray = luminance(painted);
    // Brush relief: lighting the painted luminance from the top left gives impasto highlights.
    const hsv = new Float32Array(3);
    const px = new Float32Array(3);
    const out = createImage(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const p = i * 3;
        const xm = x > 0 ? i - 1 : i, ym = y > 0 ? i - width : i;
        const relief = (gray[i]! - gray[xm]!) + (gray[i]! - gray[ym]!);
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
  description: 'Soft washes of lighter, bleeding colour with darkened pigment edges and textured paper.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const washes = guidedSmooth(image, scaledRadius(image, 6), 0.02);
    const rng = createRng(contentSeed(image, 'watercolour'));
    // Pigment density varies in blotches; paper has a fine tooth.
    const blotch = valueNoise(width, height, Math.max(4, Math.round(24 * s)), rng);
    const tooth = valueNoise(width, height, Math.max(1, Math.round(2 * s)), rng);
    const gray = luminance(washes);
    // Edge darkening: pigment pools where the wash changes, as a wet edge dries.
    const edges = gradientMagnitude(gaussianBlurPlane(gray, width, height, 1.2 * s), width, height);
    const pooled = boxBlurPlane(edges, width, height, Math.max(1, Math.round(s)));
    const out = createImage(width, height);
    for (let i = 0; i < width * height; i++) {
      const p = i * 3;
      const density = 0.75 + 0.5 * blotch[i]! + 0.6 * Math.min(0.5, pooled[i]!);
      const paperTone = 0.96 + 0.04 * tooth[i]!;
      for (let c = 0; c < 3; c++) {
        // Transparent pigment: lighten towards paper, then multiply by density (subtractive-ish).
        const pigment = 1 - washes.data[p + c]!;
        const absorbed = clamp01(pigment * 0.85 * density);
        out.data[p + c] = clamp01((1 - absorbed) * paperTone * (c === 2 ? 0.98 : 1));
      }
    }
    return out;
  },
};

export const paintTeachers: readonly ConceptTeacher[] = [pencilSketch, cartoon, oilPaint, watercolour];

