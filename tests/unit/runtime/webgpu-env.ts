/**
 * Runs a scenario script in a child process set up for onnxruntime-node's WebGPU EP on a GPU-less Linux
 * box: Chromium's bundled SwiftShader Vulkan driver (and the Vulkan loader next to it). The dynamic loader
 * reads LD_LIBRARY_PATH only at process start, hence a fresh process rather than process.env edits.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD, webgpuUnavailable, withWebgpuEnvironment } from '../../support/test-environment';

export { SWIFTSHADER_ICD };

/**
 * The environment for a child that should reach the WebGPU EP. vitest.config.ts already puts it on the
 * test workers; this keeps children right when a test is run some other way.
 */
export function webgpuChildEnv(): NodeJS.ProcessEnv {
  return withWebgpuEnvironment({ ...process.env });
}

export function runWebgpuScenario<T>(script: URL, scenario: string, timeoutMs = 120_000): T {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(script), scenario], {
    env: webgpuChildEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) {
    throw new Error(`webgpu scenario '${scenario}' failed (exit ${child.status}, signal ${child.signal}):\n${child.stderr}\n${child.stdout}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

let cachedAdapter: { available: boolean; reason: string } | undefined;

/** Whether the WebGPU EP can open a session in such a child; the reason is printed when it cannot. */
export function webgpuAvailability(probeScript: URL): { available: boolean; reason: string } {
  if (cachedAdapter) return cachedAdapter;
  try {
    const probe = runWebgpuScenario<{ available: boolean; error?: string }>(probeScript, 'probe');
    cachedAdapter = { available: probe.available, reason: probe.error ?? 'ok' };
  } catch (error) {
    cachedAdapter = { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (!cachedAdapter.available) console.log(`[webgpu] skipping WebGPU EP tests: ${webgpuUnavailable(cachedAdapter.reason)}`);
  return cachedAdapter;
}
