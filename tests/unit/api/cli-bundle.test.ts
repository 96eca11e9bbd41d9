/**
 * The compiled `e2gan` CLI (dist/electron/cli.cjs, what bin/e2gan.mjs runs where tsx is not installed): it loads
 * no TypeScript tooling, and its worker threads (job, compute) are bundles too, so a whole headless journey runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles, NATIVE_EXTERNALS, WORKER_ENTRIES } from '../../../scripts/build.mjs';

const repoRoot = path.resolve(__dirname, '../../..');
let workDir: string;
let outDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'e2gan-cli-bundle-'));
  // Inside the repo so the bundle's require('sharp') finds node_modules, as in an install.
  outDir = path.join(repoRoot, 'dist', `.cli-test-${process.pid}`, 'electron');
  await buildElectronBundles({ outDir });
});

afterAll(async () => {
  if (outDir) await rm(path.dirname(outDir), { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Runs the bundle's main(argv) in a fresh Node with a module loader that refuses tsx and esbuild. */
async function runBundle(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const runner = [
    "const Module = require('node:module');",
    'const resolve = Module._resolveFilename;',
    'Module._resolveFilename = function (request, ...rest) {',
    "  if (/^(tsx|esbuild)(\\/|$)/.test(request)) throw new Error('the compiled CLI tried to load ' + request);",
    '  return resolve.call(this, request, ...rest);',
    '};',
    `require(${JSON.stringify(path.join(outDir, 'cli.cjs'))}).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });`,
  ].join('\n');
  const runnerPath = path.join(workDir, 'run-cli.cjs');
  await writeFile(runnerPath, runner);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [runnerPath, ...args], {
      env: { ...process.env, E2GAN_STUDIO_HOME: path.join(workDir, 'home') },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('compiled e2gan CLI', () => {
  it('requires only Node builtins and the native packages', async () => {
    for (const bundle of ['cli.cjs', ...Object.keys(WORKER_ENTRIES).map((name) => `${name}.cjs`)]) {
      const code = await readFile(path.join(outDir, bundle), 'utf8');
      const packages = [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!))].filter(
        (name) => !name.startsWith('node:') && !builtinModules.includes(name),
      );
      expect(
        packages.filter((name) => !(NATIVE_EXTERNALS as string[]).includes(name)),
        bundle,
      ).toEqual([]);
    }
  });

  it('every worker a bundle starts is a bundle beside it, never a .ts source', async () => {
    for (const bundle of ['cli.cjs', 'main.cjs', 'job-process.cjs', 'job-worker.cjs']) {
      const code = await readFile(path.join(outDir, bundle), 'utf8');
      expect(code, bundle).not.toMatch(/new URL\("\.\/[\w-]+\.ts"/);
      for (const [, name] of code.matchAll(/new URL\("\.\/([\w-]+\.cjs)"/g)) expect(existsSync(path.join(outDir, name!)), `${bundle} -> ${name}`).toBe(true);
    }
  });

  it('--help lists the commands', async () => {
    const result = await runBundle(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: e2gan <command>/);
    expect(result.stdout).toContain('demo');
  });

  it('runs the headless demo end to end (teacher, LoRA training in its compute worker, export)', async () => {
    const out = path.join(workDir, 'demo');
    // The test bundle lives in dist/.cli-test-*/, not dist/electron/, so the shipped files are named explicitly.
    const resources = path.join(repoRoot, 'resources');
    const result = await runBundle([
      'demo',
      '--out',
      out,
      '--steps',
      '2',
      '--size',
      '32',
      '--ep',
      'cpu',
      '--precision',
      'fp16',
      '--samples',
      path.join(resources, 'samples'),
      '--base',
      path.join(resources, 'base-model', 'base.safetensors'),
    ]);
    expect(result.stderr).not.toContain('the compiled CLI tried to load');
    expect(result.code, result.stderr).toBe(0);
    const bundleLine = result.stdout.trim().split('\n').at(-1)!;
    expect(bundleLine).toMatch(/^bundle=/);
    expect(existsSync(bundleLine.slice('bundle='.length))).toBe(true);
  }, 120_000);
});
