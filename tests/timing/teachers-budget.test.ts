// Timing budgets run in their own vitest project ('timing'), alone and before every other file (see
// vitest.config.ts): on a 2-core machine a concurrent test fork doubles what a 25 ms operator measures, and a
// budget that only holds on an idle machine must be measured on one, not loosened.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTeachers } from '../../native-models/teachers';

const BUDGET_MS = 50;
let measured: Record<string, { wallMs: number; cpuMs: number; runs: number }>;

beforeAll(async () => {
  // The teachers run in a plain Node child, as the app's compute worker runs them (see measure-teachers.ts).
  const script = fileURLToPath(new URL('./measure-teachers.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    maxBuffer: 1 << 20,
  });
  measured = JSON.parse(stdout) as typeof measured;
}, 120_000);

describe('concept teachers at 256x256', () => {
  it('measures every registered teacher', () => {
    expect(Object.keys(measured).sort()).toEqual(
      listTeachers()
        .map((t) => t.id)
        .sort(),
    );
  });

  it.each(listTeachers().map((t) => t.id))(`%s runs in under ${BUDGET_MS} ms`, (id) => {
    const { wallMs, cpuMs, runs } = measured[id]!;
    console.log(`${id}: ${wallMs.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms cpu (best of ${runs})`);
    expect(Math.min(wallMs, cpuMs)).toBeLessThan(BUDGET_MS);
  });
});
