#!/usr/bin/env node
/**
 * `npm run build`: bundles the Electron main process, preload and job utility process with esbuild into
 * dist/electron/*.cjs, then builds the renderer with vite into dist/renderer.
 *
 *   node scripts/build.mjs [--no-renderer]
 *
 * Native packages stay external: they are loaded from node_modules, rebuilt for Electron's ABI by Forge or
 * electron-builder at package time.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];

/** CommonJS has no import.meta; modules that compute paths from import.meta.url get the bundle's own URL. */
const importMetaShim = "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;";

export async function buildElectronBundles({ outDir = path.join(repoRoot, 'dist', 'electron'), minify = false } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Electron 45 ships Node 22.
    target: 'node22',
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    sourcemap: 'linked',
    minify,
    logLevel: 'warning',
    // ts-worker's import.meta.resolve serves tsx-run .ts workers only; the app passes bundled entries instead.
    logOverride: { 'empty-import-meta': 'silent' },
    absWorkingDir: repoRoot,
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: importMetaShim },
  };
  await esbuild({
    ...common,
    entryPoints: {
      main: 'electron/main/main.ts',
      'job-process': 'electron/main/job-process.ts',
    },
    external: NATIVE_EXTERNALS,
  });
  // A sandboxed preload can require only 'electron': everything else must be inside the bundle.
  await esbuild({
    ...common,
    entryPoints: { preload: 'electron/preload/preload.ts' },
    external: ['electron'],
    minify: true,
  });
  return outDir;
}

export async function buildRenderer() {
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--no-renderer');
  if (unknown.length) {
    console.error(`build: unknown option ${unknown.join(' ')}\nUsage: node scripts/build.mjs [--no-renderer]`);
    process.exit(2);
  }
  const started = Date.now();
  const outDir = await buildElectronBundles();
  console.log(`Built main, preload and job process into ${path.relative(repoRoot, outDir)}/`);
  if (!args.includes('--no-renderer')) {
    await buildRenderer();
    console.log('Built the renderer into dist/renderer/');
  }
  console.log(`Build finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
