import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module URL that may be a `.ts` source file (dev, tests, CLI under tsx)
 * or a bundled `.js`/`.mjs` file (packaged app).
 *
 * Why the bootstrap: on Node 20 a worker's entry module is resolved before `--import` hooks run, and a TS
 * loader installed in-process by a test runner is not inherited. So for `.ts` entry points we start a tiny
 * evaluated bootstrap that registers tsx's ESM hooks and then imports the real entry. workerData and
 * parentPort behave exactly as in a normal worker. Entry files must live in an ESM package (ours is).
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)})` + `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
