/**
 * Child process for the WebGPU train-step test (Dawn must see VK_ICD_FILENAMES at start-up).
 * Usage: node --import tsx webgpu-train-child.ts <probe|step|train|both>
 */
import { openSession, probeExecutionProviders, toFloat32Array, TrainState, createTensor } from '../../../native-models/runtime';
import { X_SHAPE, randomBatch } from './small-net';
import { compileFixtureStep, fixtureFeeds } from './train-step-fixture';

async function oneStep(): Promise<unknown> {
  const compiled = compileFixtureStep();
  const session = await openSession(compiled.program.model, { executionProviders: ['webgpu'] });
  const out = await session.run(fixtureFeeds(compiled));
  const result = { provider: session.executionProvider, outputs: Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(toFloat32Array(t))])) };
  await session.release();
  return result;
}

async function severalSteps(): Promise<unknown> {
  const compiled = compileFixtureStep();
  const state = await TrainState.create(compiled.program, compiled.initialState, { executionProviders: ['webgpu'] });
  const batch = randomBatch(3);
  const data = { x: createTensor('float32', batch.x, X_SHAPE), target: createTensor('float32', batch.target, X_SHAPE) };
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) losses.push((await state.runStep(data, 0.02)).metrics['loss']!);
  const stateOnDevice = state.stateOnDevice;
  const params = await state.read(compiled.parameters.map((p) => p.name));
  await state.release();
  return { provider: state.executionProvider, stateOnDevice, losses, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)])) };
}

const scenarios: Record<string, () => Promise<unknown>> = {
  probe: async () => (await probeExecutionProviders({ candidates: ['webgpu'] }))[0],
  step: oneStep,
  train: severalSteps,
  // Both in one process: SwiftShader shader compilation dominates, and the second scenario reuses it.
  both: async () => ({ step: await oneStep(), train: await severalSteps() }),
};
const scenario = scenarios[process.argv[2] ?? ''];
if (!scenario) {
  console.error(`unknown scenario '${process.argv[2]}' (expected ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}
process.stdout.write(`RESULT ${JSON.stringify(await scenario())}\n`);
