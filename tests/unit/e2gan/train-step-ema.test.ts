import { describe, expect, test } from 'vitest';
import { discriminatorForSize, generatorPreset, loraPlacement } from '../../../native-models/e2gan/config';
import { initLoraWeights } from '../../../native-models/e2gan/lora';
import { emaDecayAt, updateEma } from '../../../native-models/e2gan/schedule';
import { compileGanStep, EMA_DECAY_INPUT, ganStepConfigFor, TOKENS_NAME } from '../../../native-models/e2gan/train-step';
import { DEFAULT_SETTINGS } from '../../../native-models/e2gan/trainer';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights } from '../../../native-models/e2gan/weights';
import { createTensor, scalar, TrainState } from '../../../native-models/runtime';
import { createRng } from '../../../native-models/util/rng';

const size = 16;
const batch = 2;

function models() {
  const generatorConfig = generatorPreset('tiny', { height: size, width: size });
  const discriminatorConfig = discriminatorForSize('tiny', size, size);
  const placement = loraPlacement(generatorConfig, 2);
  const generator = new Map([...initGeneratorWeights(generatorConfig, 1), ...initLoraWeights(generatorConfig, placement, 2)]);
  return {
    generatorConfig,
    discriminatorConfig,
    placement,
    generator,
    discriminator: initDiscriminatorWeights(discriminatorConfig, 3),
    tokens: initConceptTokens(generatorConfig, 4),
  };
}

function images(seed: number) {
  const rng = createRng(seed);
  return createTensor(
    'float32',
    Float32Array.from({ length: batch * 3 * size * size }, () => rng.normal() * 0.5),
    [batch, 3, size, size],
  );
}

describe('compileGanStep in-graph EMA', () => {
  test('tracks schedule.ts updateEma of the stepped weights within float32 rounding, and leaves the step itself unchanged', async () => {
    const m = models();
    const settings = { ...DEFAULT_SETTINGS, batch, mode: 'lora' as const };
    const withEma = compileGanStep(ganStepConfigFor(settings, m), m);
    const without = compileGanStep({ ...ganStepConfigFor(settings, m), emaInGraph: false }, m);
    expect(without.emaInputs.size).toBe(0);
    expect([...withEma.emaInputs.keys()]).toEqual(withEma.generatorTrainables);
    expect(withEma.program.data.map((d) => d.name)).toContain(EMA_DECAY_INPUT);

    const initialOf = (compiled: typeof withEma): Record<string, Float32Array> => {
      const averageOf = new Map([...compiled.emaInputs].map(([name, input]) => [input, name]));
      const moments = new Set(compiled.momentInputs);
      return Object.fromEntries(
        compiled.program.state.map((s) => {
          const name = averageOf.get(s.input) ?? s.input;
          const value = moments.has(name)
            ? new Float32Array(s.shape.reduce((a, b) => a * b, 1))
            : name === TOKENS_NAME
              ? m.tokens
              : (m.generator.get(name) ?? m.discriminator.get(name))!;
          return [s.input, value];
        }),
      );
    };
    const a = await TrainState.create(withEma.program, initialOf(withEma));
    const b = await TrainState.create(without.program, initialOf(without));
    try {
      const reference = new Map(withEma.generatorTrainables.map((name) => [name, Float32Array.from(initialOf(withEma)[name]!)]));
      for (let step = 1; step <= 4; step++) {
        const data = { input: images(10 + step), target: images(20 + step), step_offset: scalar('float32', 0) };
        const decay = emaDecayAt(0.99, step);
        const ra = await a.runStep({ ...data, [EMA_DECAY_INPUT]: scalar('float32', decay) }, 2e-3);
        const rb = await b.runStep(data, 2e-3);
        expect(ra.metrics).toEqual(rb.metrics);
        const weights = await b.read(withEma.generatorTrainables);
        for (const [name, average] of reference) updateEma(average, weights[name]!, decay);
      }
      const averages = await a.read([...withEma.emaInputs.values()]);
      let worst = 0;
      let moved = 0;
      for (const [name, input] of withEma.emaInputs) {
        const expected = reference.get(name)!;
        const got = averages[input]!;
        const start = initialOf(withEma)[name]!;
        for (let i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
          moved = Math.max(moved, Math.abs(got[i]! - start[i]!));
        }
      }
      expect(moved).toBeGreaterThan(1e-4);
      expect(worst).toBeLessThan(1e-6);
    } finally {
      await a.release();
      await b.release();
    }
  });
});
