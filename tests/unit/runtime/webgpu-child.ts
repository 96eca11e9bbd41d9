/**
 * Child-process half of the WebGPU tests. The Vulkan driver choice (VK_ICD_FILENAMES) must be in the
 * environment before ORT initialises Dawn, so the test spawns this file with that environment and reads
 * one JSON line from stdout. Usage: node --import tsx webgpu-child.ts <scenario>
 */
import { probeExecutionProviders } from '../../../native-models/runtime/probe';
import { tensorFromValues } from '../../../native-models/runtime/tensor';
import { TrainState } from '../../../native-models/runtime/train-state';
import { momentumStepProgram } from './step-fixture';

async function momentumOnDevice(): Promise<unknown> {
  const xs = [
    [0.1, 0.2, -0.3],
    [1, -1, 0.25],
  ];
  const state = await TrainState.create(momentumStepProgram(3), { p: Float32Array.of(1, -2, 0.5) }, { executionProviders: ['webgpu'] });
  const totals: number[] = [];
  for (const x of xs) totals.push((await state.runStep({ x: tensorFromValues('float32', x, [3]) }, 0.1)).metrics['total']!);
  const stateOnDevice = state.stateOnDevice;
  const values = await state.read();
  const result = { provider: state.executionProvider, stateOnDevice, totals, p: Array.from(values['p']!), m: Array.from(values['m']!) };
  await state.release();
  return result;
}

const scenarios: Record<string, () => Promise<unknown>> = {
  probe: async () => (await probeExecutionProviders({ candidates: ['webgpu'] }))[0],
  momentum: momentumOnDevice,
};

const scenario = scenarios[process.argv[2] ?? ''];
if (!scenario) {
  console.error(`unknown scenario '${process.argv[2]}' (expected ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}
const result = await scenario();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
