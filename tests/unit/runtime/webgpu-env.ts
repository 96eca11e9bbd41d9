/**
 * Runs a scenario script in a child process set up for onnxruntime-node's WebGPU EP on a GPU-less Linux
 * box: Chromium's bundled SwiftShader Vulkan driver (and the Vulkan loader next to it). Dawn reads the
 * environment when ORT first initialises it, hence a fresh process rather than process.env edits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHROMIUM_LIB_DIR = '/usr/lib/chromium';

export function webgpuChildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (existsSync(SWIFTSHADER_ICD)) {
    env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
    env['LD_LIBRARY_PATH'] = [env['LD_LIBRARY_PATH'], CHROMIUM_LIB_DIR].filter(Boolean).join(':');
  }
  return env;
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
  if (!cachedAdapter.available) console.log(`[webgpu] skipping WebGPU EP tests: ${cachedAdapter.reason}`);
  return cachedAdapter;
}
