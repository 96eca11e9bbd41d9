#!/usr/bin/env node
/**
 * `npm run build`: bundles the Node-side code with esbuild into dist/electron/*.cjs (the Electron main process,
 * preload, job utility process, the worker threads they start, and the `e2gan` CLI), then builds the renderer
 * with vite into dist/renderer.
 *
 *   node scripts/build.mjs [--no-renderer]
 *
 * Native packages stay external: they are loaded from node_modules, rebuilt for Electron's ABI by Forge or
 * electron-builder at package time. Everything else (zod, ws, qrcode, ...) is inside the bundles, so the CLI
 * and the app run without tsx or esbuild installed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];

/**
 * Worker-thread entries, started with `new URL('./<name>.ts', import.meta.url)`. Each is bundled next to the
 * bundles that start it, and that URL is rewritten to the bundled `.cjs`; an unlisted worker fails the build.
 */
export const WORKER_ENTRIES = {
  'job-worker': 'electron/jobs/job-worker.ts',
  'compute-worker': 'native-models/runtime/compute-worker.ts',
};

/**
 * CommonJS has no import.meta. Modules that compute paths from import.meta.url get the bundle's own URL, and
 * import.meta.resolve (the phone player's onnxruntime-web lookup) resolves through the bundle's require, which
 * walks up to node_modules from the bundle's folder: the repo in development, app.asar when packaged.
 */
const importMetaShim = [
  "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  "const __importMetaResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
].join('\n');

const WORKER_URL = /new URL\(\s*(['"])\.\/([\w-]+)\.ts\1\s*,\s*import\.meta\.url\s*\)/g;

/** Points `new URL('./x-worker.ts', import.meta.url)` at the bundled x-worker.cjs beside the bundle. */
const workerUrlPlugin = {
  name: 'worker-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/, namespace: 'file' }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const errors = [];
      const contents = source.replace(WORKER_URL, (match, quote, name) => {
        if (!(name in WORKER_ENTRIES)) {
          errors.push({ text: `worker entry ./${name}.ts is not listed in WORKER_ENTRIES (scripts/build.mjs), so no bundle would exist for it` });
          return match;
        }
        return `new URL(${quote}./${name}.cjs${quote}, import.meta.url)`;
      });
      return { contents, loader: 'ts', errors };
    });
  },
};

export async function buildElectronBundles({ outDir = path.join(repoRoot, 'dist', 'electron'), minify = false } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Electron 45 ships Node 22; the CLI runs on the Node >= 20.19 that package.json engines names.
    target: 'node20',
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    sourcemap: 'linked',
    minify,
    logLevel: 'warning',
    // An import.meta property the shim does not cover would be an empty object at run time: fail instead.
    logOverride: { 'empty-import-meta': 'error' },
    absWorkingDir: repoRoot,
    define: { 'import.meta.url': '__importMetaUrl', 'import.meta.resolve': '__importMetaResolve' },
    banner: { js: importMetaShim },
    plugins: [workerUrlPlugin],
  };
  await esbuild({
    ...common,
    entryPoints: {
      main: 'electron/main/main.ts',
      'job-process': 'electron/main/job-process.ts',
      cli: 'electron/cli/main.ts',
      ...WORKER_ENTRIES,
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
  console.log(`Built main, preload, job process, workers and the e2gan CLI into ${path.relative(repoRoot, outDir)}/`);
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
