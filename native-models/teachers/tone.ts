import { createImage, luminance } from '../image/image';
import { gaussianBlur as gaussianBlurImage, gaussianBlurPlane } from '../image/filters';
import { createRng } from '../util/rng';
import type { ConceptTeacher } from './teacher';
import { clamp01, contentSeed, hsvToRgb, makeGradientMap, mapPixels, mix, rgbToHsv, sizeScale, smoothstep, vignetteFactor } from './ops';

/** Colour and tone teachers: per-pixel maps plus light blurs. */

export const sepiaVintage: ConceptTeacher = {
  id: 'sepia-vintage',
  name: 'sepia vintage photo',
  description: 'Warm sepia toning, faded blacks, softened contrast and a vignette, like an old print.',
  apply(image) {
    const { width } = image;
    const height = image.height;
    return mapPixels(image, (r, g, b, i, out) => {
      const sr = 0.393 * r + 0.769 * g + 0.189 * b;
      const sg = 0.349 * r + 0.686 * g + 0.168 * b;
      const sb = 0.272 * r + 0.534 * g + 0.131 * b;
      const v = vignetteFactor(i % width, Math.floor(i / width), width, height, 0.55);
      // Lift blacks and pull whites: faded paper never reaches pure black or white.
      out[0] = (0.08 + 0.82 * clamp01(sr)) * v;
      out[1] = (0.06 + 0.78 * clamp01(sg)) * v;
      out[2] = (0.05 + 0.68 * clamp01(sb)) * v;
    });
  },
};

export const night: ConceptTeacher = {
  id: 'night',
  name: 'night scene',
  description: 'Day-for-night: dark, desaturated blue moonlight with crushed shadows and warm lit highlights.',
  apply(image) {
    const { width, height } = image;
    return mapPixels(image, (r, g, b, i, out) => {
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      // Gamma crushes shadows; the blue-cyan tint reads as moonlight.
      const dark = l ** 1.8 * 0.55;
      const v = vignetteFactor(i % width, Math.floor(i / width), width, height, 0.7);
      // The brightest parts stay warm, as if lamp-lit.
      const glow = smoothstep(0.82, 1, l) * 0.6;
      out[0] = (dark * 0.55 + 0.12 * r * dark + glow * 1.0) * v;
      out[1] = (dark * 0.75 + 0.1 * g * dark + glow * 0.8) * v;
      out[2] = (dark * 1.35 + 0.03 + glow * 0.45) * v;
    });
  },
};

export const autumnFoliage: ConceptTeacher = {
  id: 'autumn-foliage',
  name: 'autumn foliage',
  description: 'Turns greens into orange, red and gold leaves and warms the light, leaving other hues alone.',
  apply(image) {
    const hsv = new Float32Array(3);
    return mapPixels(image, (r, g, b, _i, out) => {
      rgbToHsv(r, g, b, hsv);
      let [h, s, v] = [hsv[0]!, hsv[1]!, hsv[2]!];
      // Weight of "green-ness": hues 50°–190°, fading at the ends, and only for coloured pixels.
      const deg = h * 360;
      const green = smoothstep(45, 75, deg) * (1 - smoothstep(160, 200, deg)) * smoothstep(0.08, 0.25, s);
      // Lighter greens become gold, darker ones orange-red; turned leaves are brighter than green shade.
      const target = mix(12, 44, smoothstep(0.08, 0.6, v)) / 360;
      h = mix(h, target, green);
      s = Math.min(1, s * (1 + 0.8 * green) + 0.2 * green);
      v = Math.min(1, v * (1 + 0.45 * green) + 0.04 * green);
      hsvToRgb(h, s, v, out);
      // A warm golden-hour cast over everything.
      out[0] = out[0]! * 1.06 + 0.02;
      out[1] = out[1]! * 0.98;
      out[2] = out[2]! * 0.85;
    });
  },
};

export const winterSnow: ConceptTeacher = {
  id: 'winter-snow',
  name: 'winter snow',
  description: 'Cold blue-white grade, snow settling on bright flat areas and falling flakes (seeded from the image).',
  apply(image) {
    const { width, height } = image;
    const gray = luminance(image);
    const hsv = new Float32Array(3);
    const graded = mapPixels(image, (r, g, b, i, out) => {
      rgbToHsv(r, g, b, hsv);
      const l = gray[i]!;
      // Snow cover: bright-ish, low-saturation or green areas turn white.
      const deg = hsv[0]! * 360;
      const foliage = smoothstep(50, 80, deg) * (1 - smoothstep(160, 190, deg)) * hsv[1]!;
      const snow = clamp01(smoothstep(0.45, 0.8, l) * (1 - hsv[1]!) + foliage * smoothstep(0.25, 0.6, l));
      const cold = [0.82 * r + 0.1 * l, 0.9 * g + 0.08 * l, Math.min(1, 1.05 * b + 0.12 * l + 0.05)];
      out[0] = mix(cold[0]!, 0.93, snow);
      out[1] = mix(cold[1]!, 0.96, snow);
      out[2] = mix(cold[2]!, 1.0, snow);
    });
    // Falling flakes: soft discs, their count and size scaled to the image.
    const rng = createRng(contentSeed(image, 'winter-snow'));
    const scale = sizeScale(image);
    const flakes = Math.round(0.0045 * width * height);
    const d = graded.data;
    for (let f = 0; f < flakes; f++) {
      const cx = rng.next() * width;
      const cy = rng.next() * height;
      const radius = (0.6 + rng.next() * rng.next() * 2.2) * Math.max(0.6, scale);
      const alpha = 0.5 + 0.5 * rng.next();
      const r = Math.ceil(radius + 1);
      for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
        for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) {
          const dist = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
          const a = alpha * clamp01(radius + 0.5 - dist);
          if (a <= 0) continue;
          const p = (y * width + x) * 3;
          d[p] = mix(d[p]!, 0.97, a);
          d[p + 1] = mix(d[p + 1]!, 0.98, a);
          d[p + 2] = mix(d[p + 2]!, 1.0, a);
        }
      }
    }
    return graded;
  },
};

const thermalRamp = makeGradientMap([
  [0.0, 0.02, 0.0, 0.12],
  [0.2, 0.25, 0.0, 0.55],
  [0.42, 0.75, 0.05, 0.45],
  [0.62, 0.95, 0.35, 0.05],
  [0.82, 1.0, 0.78, 0.1],
  [1.0, 1.0, 1.0, 0.85],
]);

export const thermalCamera: ConceptTeacher = {
  id: 'thermal-camera',
  name: 'thermal camera',
  description: 'Infrared "ironbow" false colour: blurred heat from brightness and warm hues, black-purple to white-hot.',
  apply(image) {
    const { width, height } = image;
    const heat = new Float32Array(width * height);
    const d = image.data;
    for (let i = 0; i < heat.length; i++) {
      const r = d[i * 3]!,
        g = d[i * 3 + 1]!,
        b = d[i * 3 + 2]!;
      // Skin and warm tones read hotter than their brightness alone; blue sky reads cold.
      heat[i] = 0.55 * (0.299 * r + 0.587 * g + 0.114 * b) + 0.35 * clamp01(r - 0.5 * b + 0.2) - 0.1 * clamp01(b - r);
    }
    // Thermal sensors are low resolution: heat diffuses.
    const blurred = gaussianBlurPlane(heat, width, height, 2 * Math.max(0.5, sizeScale(image)));
    let lo = Infinity,
      hi = -Infinity;
    for (const v of blurred) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = Math.max(1e-3, hi - lo);
    const out = createImage(width, height);
    const px = new Float32Array(3);
    for (let i = 0; i < blurred.length; i++) {
      thermalRamp((blurred[i]! - lo) / span, px);
      out.data.set(px, i * 3);
    }
    return out;
  },
};

export const bwFilmGrain: ConceptTeacher = {
  id: 'bw-film-grain',
  name: 'black and white film with grain',
  description: 'Panchromatic B&W with an S-curve, vignette and film grain seeded from the image content.',
  apply(image) {
    const { width, height } = image;
    const d = image.data;
    const n = width * height;
    // Red-weighted mix, like a panchromatic film with a light yellow filter: darker skies.
    const gray = new Float32Array(n);
    for (let i = 0; i < n; i++) gray[i] = 0.42 * d[i * 3]! + 0.5 * d[i * 3 + 1]! + 0.08 * d[i * 3 + 2]!;
    const rng = createRng(contentSeed(image, 'bw-film-grain'));
    const noise = new Float32Array(n);
    for (let i = 0; i < n; i++) noise[i] = rng.normal();
    // Grain clumps over a couple of pixels rather than being per-pixel white noise.
    const grain = gaussianBlurPlane(noise, width, height, 0.7 * Math.max(0.7, sizeScale(image)));
    const out = createImage(width, height);
    for (let i = 0; i < n; i++) {
      const x = gray[i]!;
      const curved = x * x * (3 - 2 * x) * 0.75 + x * 0.25;
      const v = vignetteFactor(i % width, Math.floor(i / width), width, height, 0.45);
      // Grain is strongest in the midtones, as with silver halide.
      const amount = 0.11 * (0.35 + 4 * curved * (1 - curved));
      const value = clamp01((curved + amount * grain[i]!) * v);
      out.data[i * 3] = value;
      out.data[i * 3 + 1] = value;
      out.data[i * 3 + 2] = value;
    }
    return out;
  },
};

export const colorInvert: ConceptTeacher = {
  id: 'color-invert',
  name: 'colour negative invert',
  description: 'Inverts every channel, like a photographic negative.',
  apply(image) {
    return mapPixels(image, (r, g, b, _i, out) => {
      out[0] = 1 - r;
      out[1] = 1 - g;
      out[2] = 1 - b;
    });
  },
};

const cyanotypeRamp = makeGradientMap([
  [0.0, 0.02, 0.12, 0.3],
  [0.45, 0.1, 0.35, 0.62],
  [0.8, 0.62, 0.78, 0.9],
  [1.0, 0.95, 0.97, 0.98],
]);

export const cyanotype: ConceptTeacher = {
  id: 'cyanotype',
  name: 'cyanotype blueprint print',
  description: 'Prussian-blue sun print: tones mapped from deep blue to paper white, slightly soft.',
  apply(image) {
    const { width, height } = image;
    const gray = gaussianBlurPlane(luminance(image), width, height, 0.6 * Math.max(0.5, sizeScale(image)));
    const out = createImage(width, height);
    const px = new Float32Array(3);
    for (let i = 0; i < gray.length; i++) {
      cyanotypeRamp(gray[i]! ** 0.9, px);
      out.data.set(px, i * 3);
    }
    return out;
  },
};

export const infraredFilm: ConceptTeacher = {
  id: 'infrared-film',
  name: 'infrared false colour film',
  description: 'Aerochrome-style false colour: foliage glows red and pink, reds turn yellow, skies deep blue.',
  apply(image) {
    return mapPixels(image, (r, g, b, _i, out) => {
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      // Living leaves reflect near-infrared strongly: estimate it from how much green beats red and blue.
      const leafiness = clamp01((g - Math.max(r, b)) * 4 + 0.1 * g);
      // Red dyes and skin reflect infrared too, so they come out yellow rather than green.
      const nir = clamp01(0.3 * l + 0.75 * r + 1.1 * leafiness * (0.4 + g));
      // Film mapping: infrared -> red, red -> green, green -> blue.
      out[0] = nir * 1.05;
      out[1] = r * 0.85 + 0.1 * l;
      out[2] = g * 0.9 + 0.25 * b;
    });
  },
};

export const tiltShiftMiniature: ConceptTeacher = {
  id: 'tilt-shift-miniature',
  name: 'tilt-shift miniature',
  description: 'Toy-model look: sharp band across the lower middle, growing blur above and below, punchier colour.',
  apply(image) {
    const { width, height } = image;
    const s = Math.max(0.5, sizeScale(image));
    const soft = gaussianBlurImage(image, 2 * s);
    const softer = gaussianBlurImage(image, 4.5 * s);
    const hsv = new Float32Array(3);
    return mapPixels(image, (r, g, b, i, out) => {
      const y = Math.floor(i / width) / Math.max(1, height - 1);
      // Distance from the focus band (centred at 58% height, 16% tall), 0 inside it.
      const distance = Math.max(0, Math.abs(y - 0.58) - 0.08) / 0.42;
      const t1 = smoothstep(0, 0.45, distance);
      const t2 = smoothstep(0.35, 1, distance);
      const p = i * 3;
      let cr = mix(r, soft.data[p]!, t1),
        cg = mix(g, soft.data[p + 1]!, t1),
        cb = mix(b, soft.data[p + 2]!, t1);
      cr = mix(cr, softer.data[p]!, t2);
      cg = mix(cg, softer.data[p + 1]!, t2);
      cb = mix(cb, softer.data[p + 2]!, t2);
      rgbToHsv(cr, cg, cb, hsv);
      // Miniatures look bright and saturated, like painted plastic under studio light.
      const v = clamp01((hsv[2]! - 0.5) * 1.15 + 0.53);
      hsvToRgb(hsv[0]!, Math.min(1, hsv[1]! * 1.45), v, out);
    });
  },
};

export const toneTeachers: readonly ConceptTeacher[] = [
  sepiaVintage,
  night,
  autumnFoliage,
  winterSnow,
  thermalCamera,
  bwFilmGrain,
  colorInvert,
  cyanotype,
  infraredFilm,
  tiltShiftMiniature,
];
