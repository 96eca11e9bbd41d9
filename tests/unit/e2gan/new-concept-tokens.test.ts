import { describe, expect, test } from 'vitest';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';
import { DEFAULT_SETTINGS, resolveRunModels } from '../../../native-models/e2gan/trainer';
import { initConceptTokens, loadBaseModel } from '../../../native-models/e2gan/weights';

describe("a new concept's tokens", () => {
  const shipped = findShippedBase();

  test.skipIf(!shipped)("start at the mean of the base concepts' tokens when fine-tuning a pre-trained base", async () => {
    const base = await loadBaseModel(shipped!.weights);
    const rows = [...base.conceptTokens!.values()];
    expect(rows.length).toBeGreaterThan(1);
    const models = await resolveRunModels({ ...DEFAULT_SETTINGS, base: shipped!.weights, preset: 'tiny', size: 32 });
    expect(models.tokens.length).toBe(rows[0]!.length);
    for (const i of [0, 1, 17, models.tokens.length - 1]) {
      const mean = rows.reduce((sum, row) => sum + row[i]!, 0) / rows.length;
      expect(models.tokens[i]).toBeCloseTo(mean, 5);
    }
  });

  test('start as small seeded noise from scratch (no base, nothing to average)', async () => {
    const models = await resolveRunModels({ ...DEFAULT_SETTINGS, mode: 'scratch', preset: 'tiny', size: 32 });
    expect([...models.tokens]).toEqual([...initConceptTokens(models.generatorConfig, DEFAULT_SETTINGS.seed + 2)]);
  });
});
