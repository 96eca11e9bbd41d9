import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../native-models/image/io';
import { resizeCover } from '../../../native-models/image/transform';
import { cloneImage, createImage, type RgbImage } from '../../../native-models/image/image';
import { psnr } from '../../../native-models/image/metrics';
import { listTeachers, getTeacher, findTeacher } from '../../../native-models/teachers';

const SAMPLES = new URL('../../../resources/samples/', import.meta.url);

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('concept teacher registry', () => {
  it('has at least 16 teachers with unique stable kebab-case ids, names and descriptions', () => {
    const teachers = listTeachers();
    expect(teachers.length).toBeGreaterThanOrEqual(16);
    expect(new Set(teachers.map((t) => t.id)).size).toBe(teachers.length);
    for (const t of teachers) {
      expect(t.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(t.name.length).toBeGreaterThan(3);
      expect(t.description.length).toBeGreaterThan(20);
      expect(getTeacher(t.id)).toBe(t);
    }
  });

  it('covers the concepts issue 5 asks for', () => {
    for (const id of [
      'pencil-sketch',
      'cartoon',
      'oil-paint',
      'watercolour',
      'sepia-vintage',
      'night',
      'autumn-foliage',
      'winter-snow',
      'pixel-art',
      'pop-art-posterize',
      'halftone',
      'thermal-camera',
      'emboss-relief',
      'neon-edges',
      'bw-film-grain',
      'color-invert',
    ])
      expect(findTeacher(id), id).toBeDefined();
  });

  it('every teacher copes with tiny and extreme-aspect images', () => {
    for (const [width, height] of [
      [1, 1],
      [2, 3],
      [7, 5],
      [300, 2],
    ] as const) {
      const image = createImage(width, height);
      image.data.forEach((_, i) => (image.data[i] = (i * 0.37) % 1));
      for (const teacher of listTeachers()) {
        const out = teacher.apply(image);
        expect([out.width, out.height], `${teacher.id} at ${width}x${height}`).toEqual([width, height]);
        for (const v of out.data) if (!(v >= 0 && v <= 1)) throw new Error(`${teacher.id} at ${width}x${height}: value ${v}`);
      }
    }
  });

  it('names the known ids when asked for an unknown one', () => {
    expect(() => getTeacher('vangogh')).toThrow(/unknown concept teacher 'vangogh' \(known: .*pencil-sketch/);
    expect(findTeacher('vangogh')).toBeUndefined();
  });
});

describe.each(listTeachers().map((t) => [t.id, t] as const))('teacher %s', (_id, teacher) => {
  let photo: RgbImage;
  let other: RgbImage;
  beforeAll(async () => {
    photo = resizeCover(await readImage(new URL('astronaut.jpg', SAMPLES).pathname), 256, 256);
    other = resizeCover(await readImage(new URL('coffee.jpg', SAMPLES).pathname), 96, 64);
  });

  it('keeps the size, stays in [0, 1], leaves its input alone and is deterministic', () => {
    const before = cloneImage(photo);
    const a = teacher.apply(photo);
    const b = teacher.apply(photo);
    expect([a.width, a.height]).toEqual([256, 256]);
    expect(a.data.length).toBe(256 * 256 * 3);
    for (const v of a.data) {
      if (!(v >= 0 && v <= 1)) throw new Error(`value ${v} outside [0, 1]`);
    }
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(Buffer.from(photo.data.buffer).equals(Buffer.from(before.data.buffer))).toBe(true);
    // Non-square, small input: no index errors, right size.
    const small = teacher.apply(other);
    expect([small.width, small.height]).toEqual([96, 64]);
  });

  it('visibly changes the photo', () => {
    const out = teacher.apply(photo);
    expect(meanAbsDiff(out, photo)).toBeGreaterThan(0.03);
    expect(psnr(out, photo)).toBeLessThan(28);
  });
});
