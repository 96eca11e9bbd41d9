#!/usr/bin/env node
/**
 * Bundles bench:train-step and the compute worker into plain ESM files for a machine without npm or tsx
 * (scripts/gpu/prepare.sh calls this): `node scripts/gpu/bundle.mjs OUT_DIR`. onnxruntime-node stays external
 * (prepare.sh packs it next to the bundle); sharp, which the trainer imports for preview images, is replaced by
 * a stub that throws when called, since the bench writes no images.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outDir = process.argv[2];
if (!outDir) {
  console.error('Usage: node scripts/gpu/bundle.mjs OUT_DIR');
  process.exit(2);
}

const stubSharp = {
  name: 'stub-sharp',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export default function sharp() { throw new Error('image encoding (sharp) is not part of the GPU check bundle'); }",
      loader: 'js',
    }));
  },
};

await build({
  absWorkingDir: repoRoot,
  entryPoints: {
    'bench-train-step': 'scripts/bench-train-step.ts',
    'compute-worker': 'native-models/runtime/compute-worker.ts',
  },
  outdir: path.resolve(outDir),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['onnxruntime-node'],
  plugins: [stubSharp],
  // Bundled CommonJS dependencies call require(); ESM output needs one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`bundled bench-train-step.mjs and compute-worker.mjs into ${outDir}`);
