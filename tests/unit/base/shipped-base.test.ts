import { expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { applyBaseConcept, openBaseConcept } from '../../../native-models/e2gan/base-apply';
import { findShippedBase, samplePhotosDir } from '../../../native-models/e2gan/shipped-base';
import { readImage } from '../../../native-models/image/io';
import { resizeCover } from '../../../native-models/image/transform';
import { psnr } from '../../../native-models/image/metrics';
import { getTeacher } from '../../../native-models/teachers';
import { readBaseConfig } from '../../../native-models/e2gan/base-eval';

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out(t: string) {
      io.stdout += `${t}\n`;
    },
    err(t: string) {
      io.stderr += `${t}\n`;
    },
  };
  return io;
}

/**
 * Floors measured on the shipped base (see resources/base-model/MODEL_CARD.md), on rocket.jpg, an evaluation
 * photo the base never trained on, at the base's training size. Each floor sits a little under the measured
 * value AND above the identity baseline (output = input), so passing means the concept was learned.
 */
const FLOORS: Record<string, number> = {
  // measured 19.52 dB (identity 17.14)
  'sepia-vintage': 18.5,
  // measured 13.15 dB (identity 7.79)
  'pencil-sketch': 12,
  // measured 22.00 dB (identity 12.36)
  night: 20,
};

test('the shipped base is found in resources/base-model and names its concepts', async () => {
  const shipped = findShippedBase();
  expect(shipped?.weights).toMatch(/resources[/\\]base-model[/\\]base\.safetensors$/);
  const config = await readBaseConfig(shipped!.weights);
  expect(config!.heldOutConcepts.length).toBeGreaterThanOrEqual(4);
  expect(config!.concepts).toContain('sepia-vintage');
  expect(findShippedBase(mkdtempSync(join(tmpdir(), 'no-resources-')))).toBeUndefined();
});

test.each(Object.entries(FLOORS))(
  'shipped base + built-in %s beats its PSNR floor and the identity baseline on an unseen photo',
  { timeout: 60_000 },
  async (id, floor) => {
    const shipped = findShippedBase()!;
    const config = (await readBaseConfig(shipped.weights))!;
    const photo = await readImage(join(samplePhotosDir(), 'rocket.jpg'), { maxSide: config.size * 4 });
    const input = resizeCover(photo, config.size, config.size);
    const target = getTeacher(id).apply(input);
    const output = await applyBaseConcept(await openBaseConcept(shipped.weights, id), input);
    const score = psnr(output, target);
    expect(score).toBeGreaterThan(floor);
    expect(score).toBeGreaterThan(psnr(input, target));
  },
);

test('e2gan base apply writes the image; a held-out concept is refused with a pointer to fine-tuning', { timeout: 60_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'base-apply-')), 'rocket.png');
  const io = captureIo();
  expect(await main(['base', 'apply', '--concept', 'sepia-vintage', '--in', join(samplePhotosDir(), 'rocket.jpg'), '--out', out, '--max-side', '64'], io)).toBe(
    0,
  );
  const written = await readImage(out);
  expect(written.width % 8).toBe(0);
  expect(written.width).toBeLessThanOrEqual(64);
  const refused = captureIo();
  expect(await main(['base', 'apply', '--concept', 'halftone', '--in', join(samplePhotosDir(), 'rocket.jpg'), '--out', out], refused)).not.toBe(0);
  expect(refused.stderr).toMatch(/no pre-trained concept 'halftone'.*e2gan train --base/);
});
