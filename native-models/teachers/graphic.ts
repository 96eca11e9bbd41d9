import { createImage, luminance } from '../image/image';
import { boxBlurPlane, gaussianBlur, gaussianBlurPlane, sobelPlane, splitChannels } from '../image/filters';
import { resize } from '../image/transform';
import type { ConceptTeacher } from './teacher';
import { clamp01, guidedSmooth, hsvToRgb, rgbToHsv, scaledRadius, sizeScale, smoothstep } from './ops';

/** Graphic-design teachers: pixel grids, print screens, posters and light effects. */

export const pixelArt: ConceptTeacher = {
  id: 'pixel-art',
  name: 'pixel art',
  description: '8-bit look: big square pixels, a small posterised palette with boosted saturation.',
  apply(image) {
    const { width, height } = image;
    const block = scaledRadius(image, 6, 2);
    const cols = Math.max(1, Math.round(width / block));
    const rows = Math.max(1, Math.round(height / block));
    // Area-averaged downscale gives each big pixel the mean colour of its block.
    const small = resize(image, cols, rows);
    const hsv = new Float32Array(3);
    const px = new Float32Array(3);
    const levels = 5;
    for (let i = 0; i < cols * rows; i++) {
      const p = i * 3;
      rgbToHsv(small.data[p]!, small.data[p + 1]!, small.data[p + 2]!, hsv);
      hsvToRgb(hsv[0]!, Math.min(1, hsv[1]! * 1.35), Math.min(1, hsv[2]! * 1.05), px);
      for (let c = 0; c < 3; c++) small.data[p + c] = Math.round(clamp01(px[c]!) * (levels - 1)) / (levels - 1);
    }
    const out = createImage(width, height);
    for (let y = 0; y < height; y++) {
      const sy = Math.min(rows - 1, Math.floor((y * rows) / height));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(cols - 1, Math.floor((x * cols) / width));
        const s = (sy * cols + sx) * 3;
        const d = (y * width + x) * 3;
        out.data[d] = small.data[s]!;
        out.data[d + 1] = small.data[s + 1]!;
        out.data[d + 2] = small.data[s + 2]!;
      }
    }
    return out;
  },
};

/** Warhol-style palette, one colour per luminance band from dark to light. */
const POP_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0.1, 0.05, 0.3],
  [0.9, 0.1, 0.45],
  [1.0, 0.55, 0.1],
  [1.0, 0.92, 0.2],
  [0.55, 0.95, 1.0],
];

export const popArtPosterize: ConceptTeacher = {
  id: 'pop-art-posterize',
  name: 'pop art poster',
  description: 'Silkscreen poster: luminance cut into five flat bands of bold Warhol colours with dark outlines.',
  apply(image) {
    const { width, height } = image;
    const smooth = luminance(guidedSmooth(image, scaledRadius(image, 3), 0.01));
    // Stretch the tonal range so every photo uses all the bands.
    let lo = Infinity,
      hi = -Infinity;
    for (const v of smooth) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = Math.max(0.05, hi - lo);
    const { gx, gy } = sobelPlane(smooth, width, height);
    const out = createImage(width, height);
    const bands = POP_PALETTE.length;
    for (let i = 0; i < smooth.length; i++) {
      const t = (smooth[i]! - lo) / span;
      const band = Math.min(bands - 1, Math.floor(t * bands));
      const colour = POP_PALETTE[band]!;
      const outline = 1 - 0.85 * smoothstep(0.35, 0.7, Math.sqrt(gx[i]! * gx[i]! + gy[i]! * gy[i]!));
      out.data[i * 3] = colour[0] * outline;
      out.data[i * 3 + 1] = colour[1] * outline;
      out.data[i * 3 + 2] = colour[2] * outline;
    }
    return out;
  },
};

/** CMYK halftone screens at the classic angles; each screen draws dots sized by its ink. */
const SCREENS = [
  { ink: 0, angle: 15 }, // cyan
  { ink: 1, angle: 75 }, // magenta
  { ink: 2, angle: 0 }, // yellow
  { ink: 3, angle: 45 }, // black
] as const;

export const halftone: ConceptTeacher = {
  id: 'halftone',
  name: 'halftone comic print',
  description: 'Four-colour CMYK halftone: rotated dot screens whose dot size follows the ink coverage.',
  apply(image) {
    const { width, height } = image;
    const cell = Math.max(3, 6 * Math.max(0.5, sizeScale(image)));
    // Ink planes from a slightly blurred image so each dot samples its neighbourhood, not one pixel.
    const [r, g, b] = splitChannels(gaussianBlur(image, cell / 3));
    const n = width * height;
    const inks = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) {
      const c = 1 - r[i]!,
        m = 1 - g[i]!,
        y = 1 - b[i]!;
      // Gray-component replacement: shared darkness goes to black ink.
      const k = Math.min(c, m, y) * 0.9;
      inks[0]![i] = c - k;
      inks[1]![i] = m - k;
      inks[2]![i] = y - k;
      inks[3]![i] = k;
    }
    const coverage = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (const screen of SCREENS) {
      const theta = (screen.angle * Math.PI) / 180;
      const cos = Math.cos(theta),
        sin = Math.sin(theta);
      const ink = inks[screen.ink]!;
      const cover = coverage[screen.ink]!;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          // Rotate into screen space, find this cell's centre, sample the ink there.
          const u = (x * cos + y * sin) / cell;
          const v = (-x * sin + y * cos) / cell;
          const cu = Math.floor(u) + 0.5,
            cv = Math.floor(v) + 0.5;
          const sx = Math.round((cu * cos - cv * sin) * cell);
          const sy = Math.round((cu * sin + cv * cos) * cell);
          const amount = ink[(sy < 0 ? 0 : sy >= height ? height - 1 : sy) * width + (sx < 0 ? 0 : sx >= width ? width - 1 : sx)]!;
          // Dot area equals the ink fraction of the cell (πr² = ink), growing past that near solid ink so
          // the dots merge and fill the cell corners.
          const level = Math.max(0, amount);
          const radius = Math.sqrt(level / Math.PI) + 0.15 * smoothstep(0.6, 1, level);
          const du = u - cu,
            dv = v - cv;
          const dist = Math.sqrt(du * du + dv * dv);
          // Sub-pixel dots fade out instead of leaving a half-covered pixel at every cell centre.
          cover[y * width + x] = clamp01((radius - dist) * cell + 0.5) * clamp01(radius * cell * 2);
        }
      }
    }
    const out = createImage(width, height);
    const paper = [0.99, 0.97, 0.92];
    for (let i = 0; i < n; i++) {
      const k = 1 - 0.92 * coverage[3]![i]!;
      out.data[i * 3] = paper[0]! * (1 - 0.95 * coverage[0]![i]!) * k;
      out.data[i * 3 + 1] = paper[1]! * (1 - 0.95 * coverage[1]![i]!) * k;
      out.data[i * 3 + 2] = paper[2]! * (1 - 0.95 * coverage[2]![i]!) * k;
    }
    return out;
  },
};

export const embossRelief: ConceptTeacher = {
  id: 'emboss-relief',
  name: 'embossed stone relief',
  description: 'Carved relief: luminance gradients lit from the top left on a warm stone-gray surface.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const gray = gaussianBlurPlane(luminance(image), width, height, 0.8 * s);
    const { gx, gy } = sobelPlane(gray, width, height);
    const out = createImage(width, height);
    const strength = 1.6 / s;
    for (let i = 0; i < gray.length; i++) {
      // Light from the top left: surfaces facing it (negative x/y slope) brighten.
      const light = clamp01(0.55 - strength * (gx[i]! + gy[i]!) * 0.25 + 0.1 * (gray[i]! - 0.5));
      out.data[i * 3] = clamp01(light * 1.02 + 0.02);
      out.data[i * 3 + 1] = clamp01(light * 0.98);
      out.data[i * 3 + 2] = clamp01(light * 0.9);
    }
    return out;
  },
};

export const neonEdges: ConceptTeacher = {
  id: 'neon-edges',
  name: 'neon glow edges',
  description: 'Glowing neon tubes along the edges, in the saturated hue of the underlying colour, on black.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const smooth = guidedSmooth(gaussianBlur(image, 0.8 * s), scaledRadius(image, 3), 0.004);
    // Colour edges: strongest Sobel response over the three channels, so hue changes count too. One fused pass
    // over the interleaved pixels instead of a channel split, three Sobel planes and their magnitudes (ten
    // full-size planes); every intermediate is rounded to float32 as the separate planes stored it, so the result is unchanged.
    const n = width * height;
    const edge = new Float32Array(n);
    const d = smooth.data;
    const f32 = Math.fround;
    for (let y = 0; y < height; y++) {
      const ym = (y > 0 ? y - 1 : 0) * width;
      const y0 = y * width;
      const yp = (y < height - 1 ? y + 1 : y) * width;
      for (let x = 0; x < width; x++) {
        const xm = x > 0 ? x - 1 : 0;
        const xp = x < width - 1 ? x + 1 : x;
        let strongest = 0;
        for (let c = 0; c < 3; c++) {
          const a = d[(ym + xm) * 3 + c]!,
            b = d[(ym + x) * 3 + c]!,
            cc = d[(ym + xp) * 3 + c]!;
          const dd = d[(y0 + xm) * 3 + c]!,
            f = d[(y0 + xp) * 3 + c]!;
          const g = d[(yp + xm) * 3 + c]!,
            h = d[(yp + x) * 3 + c]!,
            i = d[(yp + xp) * 3 + c]!;
          const gx = f32(cc + 2 * f + i - a - 2 * dd - g);
          const gy = f32(g + 2 * h + i - a - 2 * b - cc);
          const magnitude = f32(Math.sqrt(gx * gx + gy * gy));
          if (magnitude > strongest) strongest = magnitude;
        }
        edge[y0 + x] = smoothstep(0.16, 0.55, strongest);
      }
    }
    const glowNear = gaussianBlurPlane(edge, width, height, 2 * s);
    const glowFar = boxBlurPlane(glowNear, width, height, Math.max(1, Math.round(5 * s)));
    const hsv = new Float32Array(3);
    const px = new Float32Array(3);
    const out = createImage(width, height);
    for (let i = 0; i < n; i++) {
      rgbToHsv(smooth.data[i * 3]!, smooth.data[i * 3 + 1]!, smooth.data[i * 3 + 2]!, hsv);
      // Gray edges get a hue from their position so the picture never turns monochrome white.
      const hue = hsv[1]! > 0.15 ? hsv[0]! : (((i % width) / width) * 0.35 + 0.5) % 1;
      hsvToRgb(hue, 1, 1, px);
      const core = edge[i]!;
      const glow = 1.6 * glowNear[i]! + 1.2 * glowFar[i]!;
      for (let c = 0; c < 3; c++) {
        // White-hot tube core, coloured halo.
        out.data[i * 3 + c] = clamp01(px[c]! * glow + core * (0.55 + 0.45 * px[c]!));
      }
    }
    return out;
  },
};

export const graphicTeachers: readonly ConceptTeacher[] = [pixelArt, popArtPosterize, halftone, embossRelief, neonEdges];
