import { expect, test } from 'vitest';
import { createTensor, TrainState } from '../../../native-models/runtime';
import { compileGanStep, CONCEPT_INPUT, TOKEN_TABLE_NAME } from '../../../native-models/e2gan/train-step';
import { conceptTokensShape, discriminatorForSize, generatorPreset } from '../../../native-models/e2gan/config';
import { initConceptTokens, initDiscriminatorWeights, initGeneratorWeights } from '../../../native-models/e2gan/weights';

test("a multi-concept step moves the shared trunk and only the chosen concept's token row (Adam momentum included)", async () => {
  const generator = generatorPreset('tiny', { height: 16, width: 16 });
  const discriminator = discriminatorForSize('tiny', 16, 16);
  const concepts = 3;
  const [t, d] = conceptTokensShape(generator);
  const rowSize = t * d;
  const tokenTable = new Float32Array(concepts * rowSize);
  for (let c = 0; c < concepts; c++) tokenTable.set(initConceptTokens(generator, 10 + c), c * rowSize);
  const gWeights = initGeneratorWeights(generator, 1);
  // A partly trained generator: a fresh one has zero-initialised heads, so its first step moves only the heads.
  for (const name of ['generator.out.conv.weight', 'generator.colour.conv.weight', 'generator.colour.film.weight']) {
    gWeights.set(
      name,
      gWeights.get(name)!.map((_, i) => 0.05 * Math.sin(i * 1.7 + 0.3)),
    );
  }
  const dWeights = initDiscriminatorWeights(discriminator, 2);
  const compiled = compileGanStep(
    {
      generator,
      discriminator,
      batch: 1,
      mode: 'full',
      placement: [],
      concepts,
      ganLoss: 'lsgan',
      l1Weight: 100,
      adversarialWeight: 1,
      discriminatorLrRatio: 0.5,
    },
    { generator: gWeights, discriminator: dWeights, tokens: tokenTable },
  );
  const moments = new Set(compiled.momentInputs);
  const initial: Record<string, Float32Array> = {};
  for (const b of compiled.program.state) {
    initial[b.input] = moments.has(b.input)
      ? new Float32Array(b.shape.reduce((x, y) => x * y, 1))
      : b.input === TOKEN_TABLE_NAME
        ? tokenTable.slice()
        : (gWeights.get(b.input) ?? dWeights.get(b.input))!;
  }
  const state = await TrainState.create(compiled.program, initial, { executionProviders: ['cpu'] });
  try {
    const image = (phase: number) => {
      const data = new Float32Array(3 * 16 * 16);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.13 + phase) * 0.8;
      return createTensor('float32', data, [1, 3, 16, 16]);
    };
    const step = async (concept: number) => {
      const oneHot = new Float32Array(concepts);
      oneHot[concept] = 1;
      return state.runStep(
        {
          input: image(0),
          target: image(1),
          [CONCEPT_INPUT]: createTensor('float32', oneHot, [concepts]),
          step_offset: createTensor('float32', new Float32Array([0]), []),
        },
        1e-2,
      );
    };
    const row = (table: Float32Array, c: number) => table.slice(c * rowSize, (c + 1) * rowSize);
    // Concept 1 first (gives row 1 non-zero moments), then concept 2: momentum must not leak into row 1.
    await step(1);
    const afterFirst = await state.read([TOKEN_TABLE_NAME, `${TOKEN_TABLE_NAME}.adam_m`, 'generator.stem.conv.weight']);
    await step(2);
    const afterSecond = await state.read([TOKEN_TABLE_NAME, `${TOKEN_TABLE_NAME}.adam_m`, 'generator.stem.conv.weight']);
    const table1 = afterFirst[TOKEN_TABLE_NAME]!;
    const table2 = afterSecond[TOKEN_TABLE_NAME]!;
    expect(row(table1, 0)).toEqual(row(tokenTable, 0));
    expect(row(table1, 2)).toEqual(row(tokenTable, 2));
    expect(row(table1, 1)).not.toEqual(row(tokenTable, 1));
    expect(row(table2, 1)).toEqual(row(table1, 1));
    expect(row(afterSecond[`${TOKEN_TABLE_NAME}.adam_m`]!, 1)).toEqual(row(afterFirst[`${TOKEN_TABLE_NAME}.adam_m`]!, 1));
    expect(row(table2, 2)).not.toEqual(row(tokenTable, 2));
    expect(row(table2, 0)).toEqual(row(tokenTable, 0));
    // The trunk is shared: both steps update it.
    expect(afterSecond['generator.stem.conv.weight']).not.toEqual(afterFirst['generator.stem.conv.weight']);
    expect(afterFirst['generator.stem.conv.weight']).not.toEqual(gWeights.get('generator.stem.conv.weight'));
  } finally {
    await state.release();
  }
});

test('compileGanStep with concepts names a wrong token table size', () => {
  const generator = generatorPreset('tiny', { height: 16, width: 16 });
  const discriminator = discriminatorForSize('tiny', 16, 16);
  expect(() =>
    compileGanStep(
      {
        generator,
        discriminator,
        batch: 1,
        mode: 'full',
        placement: [],
        concepts: 2,
        ganLoss: 'lsgan',
        l1Weight: 100,
        adversarialWeight: 1,
        discriminatorLrRatio: 0.5,
      },
      { generator: initGeneratorWeights(generator, 1), discriminator: initDiscriminatorWeights(discriminator, 2), tokens: new Float32Array(5) },
    ),
  ).toThrow(/token table has 5 values, expected \[2, 4, 64\]/);
});
