import { expect, test } from 'vitest';
import { trainingExample, DEFAULT_SETTINGS } from '../../../native-models/e2gan/trainer';
import { augmentPair } from '../../../native-models/e2gan/augment';
import { createImage } from '../../../native-models/image/image';
import { psnr } from '../../../native-models/image/metrics';
import { getTeacher } from '../../../native-models/teachers';
import { createRng } from '../../../native-models/util/rng';

test('with a built-in teacher the crop is taught afresh, so a vignette stays centred on the crop', () => {
  const input = createImage(96, 96);
  for (let i = 0; i < input.data.length; i++) input.data[i] = 0.45 + 0.2 * Math.sin(i * 0.011);
  const teacher = getTeacher('sepia-vintage');
  const pair = { input, target: teacher.apply(input) };
  const settings = { ...DEFAULT_SETTINGS, pairs: '', size: 32, augment: { flipProbability: 0, minScale: 0.4, maxScale: 0.4 }, teacher: teacher.id };
  const taught = trainingExample(pair, createRng(3), settings, teacher);
  // The same crop, drawn from the same rng state, without re-teaching: the vignette of the full image, cut out.
  const cropped = augmentPair(pair, createRng(3), 32, settings.augment);
  expect(taught.input.data).toEqual(cropped.input.data);
  expect(psnr(taught.target, teacher.apply(taught.input))).toBe(Infinity);
  expect(psnr(cropped.target, teacher.apply(cropped.input))).toBeLessThan(40);
});
