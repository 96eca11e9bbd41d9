/**
 * onnxruntime-node's WebGPU EP on Linux runs Dawn on Vulkan, which dlopen()s libvulkan.so.1. Without that
 * loader Dawn prints "Couldn't load Vulkan" on stderr at every attempt and then fails anyway; checking
 * first keeps the CLI and server output clean and says what to install instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const LOADER = 'libvulkan.so.1';
const LDCONFIG_CANDIDATES = ['/sbin/ldconfig', '/usr/sbin/ldconfig'];

let cached: string | null | undefined;

/** Why WebGPU cannot start on this Linux machine (no Vulkan loader), or null when it may be tried. */
export function missingVulkanLoaderReason(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string | null {
  if (platform !== 'linux') return null;
  if (cached !== undefined) return cached;
  cached = vulkanLoaderFound(env)
    ? null
    : `no Vulkan loader (${LOADER}) on this machine: install it (Debian/Ubuntu: apt-get install libvulkan1), ` +
      `or start the app with LD_LIBRARY_PATH=/usr/lib/chromium where Debian's Chromium is installed`;
  return cached;
}

function vulkanLoaderFound(env: NodeJS.ProcessEnv): boolean {
  const libraryPath = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  if (libraryPath.some((dir) => existsSync(join(dir, LOADER)))) return true;
  const ldconfig = LDCONFIG_CANDIDATES.find((path) => existsSync(path));
  // Without ldconfig (musl, unusual distributions) the cache cannot be read: let Dawn try.
  if (!ldconfig) return true;
  try {
    return execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(LOADER);
  } catch {
    return true;
  }
}
