/**
 * Fault injection (issue 14): jobs killed with SIGKILL mid-way (pair generation, export), a disk that fills up
 * during training checkpoints and export (a real ENOSPC: a small tmpfs in a private mount namespace, root
 * only), and a model file cut short mid-download. For each: nothing accepted is lost, the store stays
 * consistent, and the job ends in a true state with a reason. Prints the faults injected and what was lost.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyCliRun } from '../../support/cli-run';
import { FakeHub, writeFakeExport } from '../../unit/diffusion/fake-hub';
import { createServices, type Services } from '../../../electron/services/index';
import { checkDataFolder } from '../jobs/fixtures/store-invariants';
import { writePng } from '../jobs/fixtures/make-images';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/fault-child.ts', import.meta.url));

const faults: string[] = [];
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-faults-'));
});
afterAll(async () => {
  console.log(`fault injection\n  ${faults.join('\n  ')}`);
  await rm(root, { recursive: true, force: true });
});

type ChildLine = Record<string, unknown>;

/**
 * Runs fault-child.ts (optionally inside `unshare -m` with a tmpfs of `tmpfs.size` on `tmpfs.dir`) and calls
 * `onLine` for each JSON line; `onLine` returning true kills the child with SIGKILL on the spot.
 */
function runChild(
  args: string[],
  onLine: (line: ChildLine) => boolean = () => false,
  tmpfs?: { dir: string; size: string },
): Promise<{ lines: ChildLine[]; killed: boolean; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', CHILD, ...args];
  const [command, ...commandArgs] = tmpfs
    ? ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs -o "size=$1" tmpfs "$2" && shift 2 && exec "$@"', 'sh', tmpfs.size, tmpfs.dir, ...node]
    : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, commandArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: ChildLine[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const text of complete) {
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as ChildLine;
        lines.push(line);
        if (!killed && onLine(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve({ lines, killed, stderr });
      else if (!killed && code === 0) resolve({ lines, killed, stderr });
      else reject(new Error(`fault child ${args[0]} exited (${code ?? signal}) unexpectedly:\n${stderr}`));
    });
  });
}

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = path.join(tmpdir(), `e2gan-tmpfs-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  const result = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${probe}`], { stdio: 'ignore' });
  spawnSync('rmdir', [probe]);
  return result.status === 0;
}

async function seedProject(dataDir: string, images: number): Promise<{ projectId: number; conceptId: number }> {
  const services = createServices({ dataDir });
  try {
    const project = services.projects.create({ name: 'Faults' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Night', teacher: 'night' });
    const folder = path.join(dataDir, '..', 'photos');
    for (let i = 0; i < images; i++) await writePng(path.join(folder, `photo-${i}.png`), i + 1, 320, 240);
    const job = services.imports.start({ projectId: project.id, sources: [{ path: folder }] });
    expect((await services.jobs.waitFor(job.id)).state).toBe('done');
    return { projectId: project.id, conceptId: concept.id };
  } finally {
    await services.close();
  }
}

async function reopen(dataDir: string, use: (services: Services) => Promise<void>): Promise<void> {
  const services = createServices({ dataDir });
  try {
    await use(services);
  } finally {
    await services.close();
  }
  const check = checkDataFolder(dataDir);
  expect(check.problems).toEqual([]);
}

describe('kill -9 mid-job', () => {
  it('pair generation: the job comes back interrupted, keeps its pairs, and resumes without duplicates', async () => {
    const dataDir = path.join(root, 'generate', 'data');
    const { projectId, conceptId } = await seedProject(dataDir, 40);
    let pairEvents = 0;
    const { killed } = await runChild(
      ['generate', dataDir, String(projectId), String(conceptId)],
      (line) => line['pairsChanged'] === true && ++pairEvents >= 4,
    );
    expect(killed, 'the generation finished before it could be killed').toBe(true);

    await reopen(dataDir, async (services) => {
      const job = services.jobs.list({ states: ['interrupted'] })[0]!;
      expect(job, 'the killed job must come back interrupted').toBeDefined();
      expect(job.message).toMatch(/Interrupted/);
      const before = services.pairs.list({ conceptId });
      expect(before.length).toBeGreaterThanOrEqual(1);
      services.jobs.resume({ jobId: job.id });
      expect((await services.jobs.waitFor(job.id)).state).toBe('done');
      const after = services.pairs.list({ conceptId });
      const imageIds = after.map((pair) => pair.imageId);
      expect(new Set(imageIds).size).toBe(imageIds.length);
      expect(after).toHaveLength(services.images.list({ projectId }).length);
      expect(before.length).toBeLessThan(after.length);
      for (const pair of before) expect(after.find((p) => p.id === pair.id)?.targetSha256).toBe(pair.targetSha256);
      faults.push(`SIGKILL during pair generation after ${before.length} of ${after.length} pairs: resumed to ${after.length}, 0 duplicates, 0 lost`);
    });
  });

  describe('export', () => {
    let runPath: string;
    beforeAll(async () => {
      runPath = await trainTinyCliRun(path.join(root, 'cli-run'), 'night');
    }, 180_000);

    it('the killed export is interrupted with no half export recorded, and resumes to exactly one export', async () => {
      const dataDir = path.join(root, 'export-kill', 'data');
      const { projectId } = await seedProject(dataDir, 1);
      const { killed, lines } = await runChild(['export', dataDir, String(projectId), runPath], (line) => /fp16/.test(String(line['message'] ?? '')));
      expect(killed, JSON.stringify(lines)).toBe(true);
      await reopen(dataDir, async (services) => {
        const job = services.jobs.list({ states: ['interrupted'] })[0]!;
        expect(job?.kind).toBe('export-bundle');
        expect(services.exports.list({ projectId })).toEqual([]);
        services.jobs.resume({ jobId: job.id });
        expect((await services.jobs.waitFor(job.id)).state).toBe('done');
        const exports = services.exports.list({ projectId });
        expect(exports).toHaveLength(1);
        expect(existsSync(path.resolve(dataDir, exports[0]!.zipPath))).toBe(true);
        faults.push(`SIGKILL during export at "building and measuring fp16": interrupted, 0 half exports, resumed to 1 export, 0 lost`);
      });
    });

    it.skipIf(!canMountTmpfs())('a full disk fails the export with "Disk full", and it completes once space is freed', async () => {
      const dataDir = path.join(root, 'export-full', 'data');
      const { projectId } = await seedProject(dataDir, 1);
      const exportsDir = path.join(dataDir, 'exports');
      mkdirSync(exportsDir, { recursive: true });
      const { lines } = await runChild(['export-full', dataDir, String(projectId), runPath, exportsDir], () => false, { dir: exportsDir, size: '256k' });
      const ended = lines.find((line) => 'ended' in line)!;
      expect(ended).toMatchObject({ ended: 'failed', message: 'Failed: disk full' });
      expect(String(ended['error'])).toMatch(/^Disk full: .*ENOSPC/);
      expect(lines.find((line) => 'final' in line)).toMatchObject({ final: 'done', result: { exportId: expect.any(Number) } });
      // The tmpfs went away with its namespace; the database (on the real disk) must still be consistent.
      expect(checkDataFolder(dataDir).problems).toEqual([]);
      faults.push(`ENOSPC (256 KiB tmpfs) during export: failed with "${String(ended['error']).slice(0, 60)}…", done after space was freed`);
    });
  });

  it.skipIf(!canMountTmpfs())('a full disk during training checkpoints fails the run with "Disk full"; freed, it resumes to the end', async () => {
    const dataDir = path.join(root, 'train-full', 'data');
    const { projectId, conceptId } = await seedProject(dataDir, 0);
    const services = createServices({ dataDir });
    const folder = path.join(root, 'train-full', 'pairs');
    for (let i = 0; i < 3; i++) {
      await writePng(path.join(folder, `p${i}.input.png`), i + 10, 32, 32);
      await writePng(path.join(folder, `p${i}.target.png`), i + 20, 32, 32);
    }
    const imported = await services.pairs.importPaired({ conceptId, sources: [{ path: folder }] });
    for (const id of imported.pairIds) services.pairs.setStatus({ pairId: id, status: 'accepted' });
    await services.close();
    const runsDir = path.join(dataDir, 'runs');
    mkdirSync(runsDir, { recursive: true });
    // The child fills the 64 MiB tmpfs right after the first checkpoint (step 20): the next one cannot be written.
    const { lines } = await runChild(['train-full', dataDir, String(conceptId), '40', runsDir], () => false, { dir: runsDir, size: '64m' });
    expect(lines.find((line) => 'filled' in line)).toMatchObject({ afterCheckpoints: [20] });
    const ended = lines.find((line) => 'ended' in line)!;
    expect(ended).toMatchObject({ ended: 'failed' });
    expect(String(ended['error'])).toMatch(/^Disk full: /);
    expect(lines.find((line) => 'final' in line)).toMatchObject({ final: 'done' });
    await reopen(dataDir, async (reopened) => {
      const run = reopened.training.list({ projectId })[0]!;
      expect(run).toMatchObject({ state: 'done', step: 40 });
    });
    faults.push(
      `ENOSPC (64 MiB tmpfs filled after the step-20 checkpoint) at the step-40 checkpoint: failed with "Disk full", resumed from step 20 to 40 after space was freed`,
    );
  });
});

/**
 * In front of the fake Hub: cuts the next `times` downloads of one file short. 'drop' sends half the body and
 * destroys the connection (a network drop); 'short' answers 200 with half the body and a matching
 * Content-Length, so the transfer itself looks complete and only the size check can notice.
 */
class TruncatingProxy {
  server!: Server;
  url = '';
  served = 0;
  constructor(
    private readonly target: string,
    private readonly file: string,
    private readonly mode: 'drop' | 'short',
    private times: number,
  ) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const cut = req.url!.endsWith(`/resolve/main/${this.file}`) && this.times > 0;
      if (cut) this.times -= 1;
      const upstream = httpRequest(`${this.target}${req.url}`, { headers: req.headers }, (answer) => {
        if (!cut) {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const half = body.subarray(0, Math.floor(body.length / 2));
          this.served += 1;
          if (this.mode === 'short') {
            const headers = { ...answer.headers, 'content-length': String(half.length) };
            delete headers['content-range'];
            res.writeHead(200, headers);
            res.end(half);
          } else {
            res.writeHead(answer.statusCode!, answer.headers);
            res.write(half, () => setTimeout(() => res.destroy(), 10));
          }
        });
      });
      upstream.end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('a model file truncated mid-download', () => {
  const REPO = 'acme/tiny-ip2p';
  const FILE = 'unet/model.onnx';

  for (const mode of ['drop', 'short'] as const) {
    it(`${mode === 'drop' ? 'connection dropped half-way, more often than retries allow' : 'a complete-looking transfer of half the file'}: the job fails with a reason naming the file, installs nothing, and a resume completes it intact`, async () => {
      const folder = path.join(root, `download-${mode}`);
      const hub = new FakeHub(REPO, await writeFakeExport(path.join(folder, 'hub-export')));
      await hub.start();
      const proxy = new TruncatingProxy(hub.url, FILE, mode, mode === 'drop' ? 4 : 1);
      await proxy.start();
      const services = createServices({ dataDir: path.join(folder, 'data'), hubUrl: proxy.url });
      try {
        const job = services.models.download({ repoId: REPO });
        const failed = await services.jobs.waitFor(job.id);
        expect(failed.state).toBe('failed');
        expect(failed.error).toContain(FILE);
        expect(failed.error).toMatch(mode === 'drop' ? /interrupted.*run the download again to resume/ : /downloaded \d+ bytes, expected \d+/);
        expect(await services.models.list()).toEqual([]);

        services.jobs.resume({ jobId: job.id });
        const done = await services.jobs.waitFor(job.id);
        expect(done.state, done.error ?? '').toBe('done');
        expect((await services.models.verify({ name: 'acme--tiny-ip2p' })).problems).toEqual([]);
        const leftovers = (await readdirRecursive(path.join(folder, 'data', 'models'))).filter(
          (entry) => entry.endsWith('.part') || entry.includes('.downloading-'),
        );
        expect(leftovers).toEqual([]);
        faults.push(`download of ${FILE} cut short (${mode}, ${proxy.served}x): failed with "${failed.error!.slice(0, 70)}…", resumed to an intact model`);
      } finally {
        await services.close();
        await proxy.stop();
        hub.server.closeAllConnections();
        await new Promise((resolve) => hub.server.close(resolve));
      }
    }, 60_000);
  }
});

async function readdirRecursive(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return existsSync(dir) ? (await readdir(dir, { recursive: true })).map(String) : [];
}
