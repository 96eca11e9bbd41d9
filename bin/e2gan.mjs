#!/usr/bin/env node
// The `e2gan` command. In a development checkout (tsx installed as a devDependency) it runs the TypeScript
// sources, so a CLI change is live without a rebuild; everywhere else it runs the bundle scripts/build.mjs
// compiles (dist/electron/cli.cjs, made by `npm ci` through the `prepare` script), which needs neither tsx nor
// esbuild. E2GAN_CLI=bundle forces the bundle, E2GAN_CLI=sources the sources.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const bundlePath = fileURLToPath(new URL('../dist/electron/cli.cjs', import.meta.url));
const sourcesPath = new URL('../electron/cli/main.ts', import.meta.url);

function tsxInstalled() {
  try {
    require.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

async function loadCli() {
  const choice = process.env.E2GAN_CLI;
  if (choice && choice !== 'bundle' && choice !== 'sources') {
    throw new Error(`E2GAN_CLI must be "bundle" or "sources", not "${choice}"`);
  }
  const useSources = choice === 'sources' || (choice !== 'bundle' && existsSync(sourcesPath) && tsxInstalled());
  if (useSources) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(sourcesPath.href);
  }
  if (!existsSync(bundlePath)) {
    throw new Error(`the compiled CLI ${bundlePath} is missing and tsx is not installed to run the sources: run \`npm run build\``);
  }
  return require(bundlePath);
}

try {
  const { main } = await loadCli();
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`e2gan: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
