/**
 * What the test run needs from the machine, decided once in the vitest main process (vitest.config.ts)
 * before any worker starts:
 * - Debian's Chromium for the e2e files that drive a browser. Without it, `npm test` leaves those files out
 *   and prints one summary naming them and the install command; under CI=true a missing browser is a failure.
 * - The WebGPU environment for onnxruntime-node on a GPU-less Linux box: Chromium's SwiftShader Vulkan driver
 *   and the Vulkan loader next to it. The dynamic loader reads LD_LIBRARY_PATH only when a process starts,
 *   so it is set here and inherited by every forked worker and every child they spawn.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';
export const CHROMIUM_INSTALL_COMMAND = 'apt-get install -y chromium';
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
export const CHROMIUM_LIB_DIR = '/usr/lib/chromium';

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['CI'] === 'true' || env['CI'] === '1';
}

/** The environment a process needs for the WebGPU EP to find SwiftShader; unchanged where Chromium is absent. */
export function withWebgpuEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!existsSync(SWIFTSHADER_ICD)) return env;
  const libraryPath = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  return {
    ...env,
    VK_ICD_FILENAMES: env['VK_ICD_FILENAMES'] || SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: libraryPath.includes(CHROMIUM_LIB_DIR) ? libraryPath.join(':') : [...libraryPath, CHROMIUM_LIB_DIR].join(':'),
  };
}

/** e2e test files (relative to the repository root) that launch Chromium: every one that imports playwright-core. */
export function browserTestFiles(root: string, folder = 'tests/e2e'): string[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .filter((name) => /from ['"]playwright-core['"]/.test(readFileSync(join(dir, name), 'utf8')))
    .map((name) => `${folder}/${name}`)
    .sort();
}

export interface BrowserPlan {
  /** e2e files left out of this run because the browser is missing (empty under CI or with a browser). */
  skippedFiles: string[];
  /** The one message printed at the end of the run, or null when the browser is there. */
  summary: string | null;
}

export function planBrowserTests(root: string, env: NodeJS.ProcessEnv = process.env, executable = CHROMIUM_EXECUTABLE): BrowserPlan {
  if (existsSync(executable)) return { skippedFiles: [], summary: null };
  const files = browserTestFiles(root);
  if (isCi(env)) {
    return {
      skippedFiles: [],
      summary:
        `CI=true and ${executable} is missing: the browser e2e files below ran and failed (${CHROMIUM_INSTALL_COMMAND} installs it):\n` +
        files.map((f) => `  ${f}`).join('\n'),
    };
  }
  return {
    skippedFiles: files,
    summary:
      `Skipped ${files.length} browser e2e file(s): ${executable} is not installed.\n` +
      files.map((f) => `  ${f}`).join('\n') +
      `\nInstall Debian's Chromium to run them: ${CHROMIUM_INSTALL_COMMAND}  (as root; then npm test again)`,
  };
}

/** A vitest reporter that prints the browser summary once, after vitest's own summary. */
export function browserSummaryReporter(plan: BrowserPlan): { onTestRunEnd: () => void } {
  return {
    onTestRunEnd() {
      if (plan.summary) process.stdout.write(`\n${plan.summary}\n`);
    },
  };
}

/**
 * Called when onnxruntime-node's WebGPU EP could not open an adapter. Outside CI the WebGPU cases are skipped
 * with the reason printed; under CI a machine that has the SwiftShader driver must run them, so this throws.
 */
export function webgpuUnavailable(reason: string, env: NodeJS.ProcessEnv = process.env): string {
  const message = `no usable WebGPU adapter for onnxruntime-node: ${reason.slice(0, 400)}`;
  if (isCi(env) && existsSync(SWIFTSHADER_ICD)) {
    throw new Error(`CI=true and ${SWIFTSHADER_ICD} exists, so the WebGPU EP tests must run, but ${message}`);
  }
  return message;
}
