import { expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { discriminatorPreset, generatorPreset, loraPlacement } from '../../../native-models/e2gan/config';
import { loadConceptDelta, saveConceptDelta } from '../../../native-models/e2gan/concept';
import { initLoraWeights } from '../../../native-models/e2gan/lora';
import { GeneratorRunner } from '../../../native-models/e2gan/inference';
import { loadRunGenerator } from '../../../native-models/e2gan/run-model';
import { DEFAULT_SETTINGS, trainRun } from '../../../native-models/e2gan/trainer';
import { NO_AUGMENTATION } from '../../../native-models/e2gan/augment';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights, loadBaseModel, saveBaseModel } from '../../../native-models/e2gan/weights';
import { readImage, writeImage } from '../../../native-models/image/io';
import { createImage } from '../../../native-models/image/image';

const io = (): CliIo & { text: string } => {
  const o = {
    text: '',
    isTty: false,
    out: (t: string) => {
      o.text += `${t}\n`;
    },
    err: (t: string) => {
      o.text += `${t}\n`;
    },
  };
  return o;
};

test('concept delta round-trips (fp16 within half precision) and rejects a mismatched placement', async () => {
  const config = generatorPreset('tiny', { height: 16, width: 16 });
  const placement = loraPlacement(config, 2);
  const lora = initLoraWeights(config, placement, 1);
  const tokens = initConceptTokens(config, 2);
  const path = join(mkdtempSync(join(tmpdir(), 'concept-')), 'c.safetensors');
  await saveConceptDelta(path, { generatorConfig: config, placement, lora, tokens, info: { name: 'sepia' } }, { fp16: true });
  const back = await loadConceptDelta(path);
  expect(back.placement).toEqual(placement);
  expect(back.info?.name).toBe('sepia');
  const a = lora.get('generator.stem.conv.lora_a')!;
  const b = back.lora.get('generator.stem.conv.lora_a')!;
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(a[i]!) * 2 ** -10 + 1e-7);
  await expect(saveConceptDelta(path, { generatorConfig: config, placement: loraPlacement(config, 3), lora, tokens })).rejects.toThrow(
    /lora_a' has \d+ values, expected/,
  );
});

test('base model with discriminator round-trips through fp16 safetensors', async () => {
  const config = generatorPreset('tiny', { height: 16, width: 16 });
  const dConfig = discriminatorPreset('tiny', { height: 32, width: 32 });
  const path = join(mkdtempSync(join(tmpdir(), 'base-')), 'base.safetensors');
  const generator = initGeneratorWeights(config, 1);
  await saveBaseModel(
    path,
    { generatorConfig: config, generator, discriminatorConfig: dConfig, discriminator: initDiscriminatorWeights(dConfig, 2) },
    { fp16: true },
  );
  const back = await loadBaseModel(path);
  expect(back.generatorConfig).toEqual(config);
  expect(back.discriminatorConfig).toEqual(dConfig);
  expect(back.generator.get('generator.out.conv.weight')![3]).toBeCloseTo(generator.get('generator.out.conv.weight')![3]!, 3);
});

test('e2gan apply runs a finished run on a folder and matches the in-process generator', async () => {
  const pairs = mkdtempSync(join(tmpdir(), 'apply-pairs-'));
  for (let k = 0; k < 2; k++) {
    const input = createImage(16, 16);
    for (let i = 0; i < input.data.length; i++) input.data[i] = 0.5 + 0.4 * Math.cos(i * 0.1 + k);
    await writeImage(join(pairs, `p${k}.input.png`), input);
    await writeImage(join(pairs, `p${k}.target.png`), input);
  }
  const run = join(mkdtempSync(join(tmpdir(), 'apply-run-')), 'run');
  await trainRun(
    run,
    { ...DEFAULT_SETTINGS, pairs, preset: 'tiny', size: 16, steps: 2, heldOut: 1, augment: NO_AUGMENTATION, checkpointEvery: 2 },
    { previews: false },
  );
  const photos = mkdtempSync(join(tmpdir(), 'apply-in-'));
  const photo = createImage(20, 17, 0.3);
  await writeImage(join(photos, 'cat.jpg'), photo);
  const out = join(mkdtempSync(join(tmpdir(), 'apply-out-')), 'results');
  const cli = io();
  expect(await main(['apply', '--run', run, '--in', photos, '--out', out], cli)).toBe(0);
  const result = await readImage(join(out, 'cat.png'));
  expect([result.width, result.height]).toEqual([16, 16]); // cropped to the stride (8)
  const generator = await loadRunGenerator(run);
  const runner = await GeneratorRunner.open({ ...generator.config, width: 16, height: 16 }, generator.weights, generator.tokens);
  const { resizeCover } = await import('../../../native-models/image/transform');
  const expected = await runner.run(resizeCover(await readImage(join(photos, 'cat.jpg')), 16, 16));
  await runner.release();
  for (let i = 0; i < expected.data.length; i++) expect(Math.abs(result.data[i]! - expected.data[i]!)).toBeLessThanOrEqual(1 / 255 + 1e-6);
  const missing = io();
  expect(await main(['apply', '--run', join(run, 'nope'), '--in', photos, '--out', out], missing)).toBe(1);
  expect(missing.text).toMatch(/not a training run \(run\.json missing\)/);
});
