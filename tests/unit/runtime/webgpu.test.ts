import { describe, expect, test } from 'vitest';
import { momentumReference } from './step-fixture';
import { runWebgpuScenario, webgpuAvailability } from './webgpu-env';

const child = new URL('./webgpu-child.ts', import.meta.url);
const webgpu = webgpuAvailability(child);

describe('WebGPU EP (SwiftShader on GPU-less Linux)', () => {
  test.skipIf(!webgpu.available)('keeps train state on the device between steps and reads it back exactly', () => {
    const result = runWebgpuScenario<{ provider: string; stateOnDevice: boolean; totals: number[]; p: number[]; m: number[] }>(child, 'momentum');
    expect(result.provider).toBe('webgpu');
    expect(result.stateOnDevice).toBe(true);
    const reference = momentumReference(
      [1, -2, 0.5],
      [
        [0.1, 0.2, -0.3],
        [1, -1, 0.25],
      ],
      0.1,
    );
    result.p.forEach((v, i) => expect(v).toBeCloseTo(reference.p[i]!, 5));
    result.m.forEach((v, i) => expect(v).toBeCloseTo(reference.m[i]!, 5));
    result.totals.forEach((v, i) => expect(v).toBeCloseTo(reference.totals[i]!, 5));
  });
});
