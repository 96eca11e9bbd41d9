/**
 * The export job as the packaged app runs it: bundled by esbuild into job-process.cjs and executed in a
 * (shimmed) Electron utility process, with onnxruntime-node loaded from node_modules.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trainTinyCliRun } from '../../support/cli-run';
import type { ExecutorToHost } from '../../../electron/jobs/job-host';
import { openStore } from '../../../electron/store/store';
import { ExportsRepository } from '../../../electron/store/repositories/exports';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles } from '../../../scripts/build.mjs';

const repoRoot = path.resolve(__dirname, '../../..');
// Inside the repo so the bundle's require('onnxruntime-node') finds node_modules, as in the packaged app.
const bundleRoot = path.join(repoRoot, 'dist', `.ship-test-${process.pid}`);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-ship-bundled-'));
  await buildElectronBundles({ outDir: path.join(bundleRoot, 'electron') });
  await mkdir(bundleRoot, { recursive: true });
  await writeFile(
    path.join(bundleRoot, 'utility-shim.cjs'),
    [
      'process.parentPort = {',
      "  on: (name, listener) => process.on('message', (data) => listener({ data })),",
      '  postMessage: (message) => process.send(message),',
      '};',
      'require(process.argv[2]);',
    ].join('\n'),
  );
  await trainTinyCliRun(root, 'night');
}, 120_000);

afterAll(async () => {
  await rm(bundleRoot, { recursive: true, force: true });
  if (root) await rm(root, { recursive: true, force: true });
});

it('runs an export job inside the bundled job process and records the bundle', async () => {
  const dataDir = path.join(root, 'data');
  const store = openStore(dataDir);
  const projectId = store.projects.create('Bundled').id;
  const payload = { projectId, conceptId: null, runPath: path.join(root, 'run'), precisions: ['fp16' as const], name: 'Night', prompt: 'night' };
  const job = store.jobs.enqueue('export-bundle', projectId, payload);
  store.close();

  const child = fork(path.join(bundleRoot, 'utility-shim.cjs'), [path.join(bundleRoot, 'electron', 'job-process.cjs')], { stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const messages: ExecutorToHost[] = [];
  const outcome = new Promise<ExecutorToHost & { type: 'outcome' }>((resolve, reject) => {
    child.on('message', (message: ExecutorToHost) => {
      messages.push(message);
      if (message.type === 'outcome') resolve(message);
    });
    child.on('exit', (code) => reject(new Error(`job process exited (${code}) without an outcome: ${stderr}`)));
  });
  child.send({ type: 'start', request: { jobId: job.id, kind: 'export-bundle', payload, dataDir } });
  const { outcome: result } = await outcome;
  expect(result, stderr).toMatchObject({ state: 'done', result: { exportId: expect.any(Number) } });
  expect(messages.filter((m) => m.type === 'progress').map((m) => m.type === 'progress' && m.message)).toContain('building and measuring fp16');

  const check = openStore(dataDir);
  const record = new ExportsRepository(check.db, dataDir).findByJob(job.id);
  check.close();
  expect(record?.precisions).toEqual(['fp32', 'fp16']);
  expect(record?.manifest.studioVersion).toMatch(/^\d+\.\d+\.\d+/);
}, 120_000);
