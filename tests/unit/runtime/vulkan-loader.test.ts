/**
 * The WebGPU EP on Linux needs a Vulkan loader. Without one, opening a webgpu session must fail with a
 * reason that says what to install, and Dawn's "Couldn't load Vulkan" must not reach stderr (every CLI call
 * and server start used to print it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { missingVulkanLoaderReason } from '../../../native-models/runtime/vulkan-loader';
import { CHROMIUM_LIB_DIR } from '../../support/test-environment';

const PROBE = `
import { probeExecutionProviders } from './native-models/runtime/probe.ts';
const [webgpu] = await probeExecutionProviders({ candidates: ['webgpu'] });
process.stdout.write('RESULT ' + JSON.stringify(webgpu) + '\\n');
`;

function probeWebgpu(env: NodeJS.ProcessEnv): { available: boolean; error?: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], { env, encoding: 'utf8', timeout: 60_000 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`probe child failed (exit ${child.status}):\n${child.stderr}`);
  return { ...(JSON.parse(line.slice('RESULT '.length)) as { available: boolean; error?: string }), stderr: child.stderr };
}

function systemHasVulkanLoader(): boolean {
  const ldconfig = ['/sbin/ldconfig', '/usr/sbin/ldconfig'].find((p) => existsSync(p));
  return !!ldconfig && execFileSync(ldconfig, ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
}

describe('Vulkan loader check before the WebGPU EP', () => {
  test('other platforms are never blocked by it', () => {
    expect(missingVulkanLoaderReason('darwin')).toBeNull();
    expect(missingVulkanLoaderReason('win32')).toBeNull();
  });

  test.skipIf(process.platform !== 'linux' || systemHasVulkanLoader())(
    'without a loader on the library path: a clear reason, and no Dawn noise on stderr',
    () => {
      const env = { ...process.env };
      delete env['LD_LIBRARY_PATH'];
      const result = probeWebgpu(env);
      expect(result.available).toBe(false);
      expect(result.error).toMatch(/no Vulkan loader \(libvulkan\.so\.1\) on this machine: install it .*apt-get install libvulkan1/);
      expect(result.stderr).not.toMatch(/Couldn't load Vulkan/);
    },
  );

  test.skipIf(process.platform !== 'linux' || !existsSync(`${CHROMIUM_LIB_DIR}/libvulkan.so.1`))(
    "with Chromium's loader on LD_LIBRARY_PATH the check lets Dawn try",
    () => {
      const result = probeWebgpu({ ...process.env, LD_LIBRARY_PATH: CHROMIUM_LIB_DIR });
      expect(result.error ?? '').not.toMatch(/no Vulkan loader/);
      expect(result.stderr).not.toMatch(/Couldn't load Vulkan/);
    },
  );
});
