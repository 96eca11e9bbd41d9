import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { browserSummaryReporter, planBrowserTests, withWebgpuEnvironment } from './tests/support/test-environment.ts';

// Workers are forked from this process, so what they (and the CLIs and servers they spawn) need in their
// environment at start-up is set here: the Vulkan loader and SwiftShader driver for onnxruntime-node's WebGPU EP.
Object.assign(process.env, withWebgpuEnvironment(process.env));

// Without /usr/bin/chromium the browser e2e files are left out (outside CI) and named once at the end.
const browserPlan = planBrowserTests(fileURLToPath(new URL('.', import.meta.url)));

// Three projects, all on plain Node (never inside Electron): timing budgets, which run first and alone
// (sequence.groupOrder 1, one file at a time) because a concurrent fork on a 2-core machine doubles what they
// measure; then, side by side (group 2), fast unit/integration tests and browser e2e tests that drive Debian's
// Chromium against browser mode. Not group 0: vitest moves a one-worker project with the default order 0 into a
// sequential group that runs after all the others.
export default defineConfig({
  test: {
    reporters: ['default', browserSummaryReporter(browserPlan)],
    projects: [
      {
        test: {
          name: 'timing',
          include: ['tests/timing/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...browserPlan.skippedFiles],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
