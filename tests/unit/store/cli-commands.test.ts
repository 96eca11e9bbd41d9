import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../electron/cli/command';
import { main } from '../../../electron/cli/main';
import { makeTempDir } from './helpers';
import { writePng, writeTruncatedPng } from '../../integration/jobs/fixtures/make-images';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let temp: ReturnType<typeof makeTempDir>;
let previousHome: string | undefined;
beforeEach(() => {
  temp = makeTempDir('e2gan-cli-');
  previousHome = process.env.E2GAN_STUDIO_HOME;
  process.env.E2GAN_STUDIO_HOME = path.join(temp.dir, 'home');
});
afterEach(() => {
  if (previousHome === undefined) delete process.env.E2GAN_STUDIO_HOME;
  else process.env.E2GAN_STUDIO_HOME = previousHome;
  temp.cleanup();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('e2gan doctor', () => {
  it('prints JSON with versions, the data folder and working execution providers including cpu (real bin entry)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/e2gan.mjs', 'doctor', '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, E2GAN_STUDIO_HOME: path.join(temp.dir, 'home') },
    });
    const report = JSON.parse(stdout);
    expect(report.executionProviders).toContain('cpu');
    expect(report.executionProviderChecks).toContainEqual(
      expect.objectContaining({ name: 'cpu', available: true, adapter: expect.stringMatching(/logical cores/) }),
    );
    expect(report.app).toEqual({ name: 'E2GAN Studio', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(report.node).toBe(process.version);
    expect(report.electron.installed).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.electron.running).toBeNull();
    expect(report).toMatchObject({ dataDir: path.join(temp.dir, 'home'), dataDirSource: 'E2GAN_STUDIO_HOME', dataDirExists: false });
  });

  it('prints a readable report and rejects unknown providers', async () => {
    const text = await cli('doctor', '--provider', 'cpu');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^E2GAN Studio \d+\.\d+\.\d+/);
    expect(text.out).toMatch(/Execution providers \(working: cpu\):\n {2}cpu {2}ok \(\d+ ms\)/);
    const bad = await cli('doctor', '--provider', 'tpu');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown execution provider 'tpu'/);
  });
});

describe('e2gan projects and import', () => {
  it('creates and lists projects, imports with a progress line and a summary, lists and discards jobs', async () => {
    expect((await cli('projects', 'list')).out).toMatch(/No projects yet/);
    const created = await cli('projects', 'create', 'Street photos', '--json');
    expect(created.code).toBe(0);
    const project = JSON.parse(created.out);
    expect(project).toMatchObject({ id: 1, name: 'Street photos', imageCount: 0 });

    const folder = path.join(temp.dir, 'in');
    await writePng(path.join(folder, 'a.png'), 1);
    await writePng(path.join(folder, 'b.png'), 2);
    await writeTruncatedPng(path.join(folder, 'c.png'));
    writeFileSync(path.join(folder, 'd.txt'), 'text');
    const imported = await cli('import', '--project', '1', folder, path.join(folder, 'a.png'));
    expect(imported.code).toBe(0);
    expect(imported.err).toMatch(/100% {2}5 of 5: a\.png/);
    expect(imported.out).toContain('Job 1 done: imported 2, duplicates 1, skipped 2');
    expect(imported.out).toMatch(/skipped {4}in\/c\.png: corrupt image/);
    expect(imported.out).toMatch(/skipped {4}in\/d\.txt: not an image/);

    const listed = await cli('projects', 'list', '--json');
    expect(JSON.parse(listed.out)).toMatchObject([{ id: 1, imageCount: 2 }]);
    const jobs = await cli('jobs', 'list');
    expect(jobs.out).toMatch(/1 +import-images +1 +done +100%/);
    expect((await cli('projects', 'rename', '1', 'Renamed')).out).toBe('Renamed project 1 to Renamed\n');
    const discard = await cli('jobs', 'discard', '1');
    expect(discard.code).toBe(1);
    expect(discard.err).toMatch(/job 1 is done; only interrupted jobs can be discarded/);
  });

  it('reports usage errors (exit 2) and service errors (exit 1) clearly', async () => {
    const noPaths = await cli('import', '--project', '1');
    expect(noPaths.code).toBe(2);
    expect(noPaths.err).toMatch(/expected at least one PATH/);
    const missing = await cli('import', '--project', '7', temp.dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/project 7 does not exist/);
    const unconfirmed = await cli('projects', 'delete', '1');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err).toMatch(/add --yes to confirm/);
    await cli('projects', 'create', 'Gone');
    expect((await cli('projects', 'delete', '1', '--yes')).out).toBe('Deleted project 1: Gone\n');
    const badAge = await cli('storage', 'gc', '--min-age-hours', 'soon');
    expect(badAge.code).toBe(2);
    expect(badAge.err).toMatch(/--min-age-hours: expected a non-negative number, got 'soon'/);
  });

  it('adds and lists concepts, lists images with their stored paths', async () => {
    await cli('projects', 'create', 'P');
    const created = await cli('concepts', 'create', '--project', '1', 'Watercolor', '--prompt', 'make it a watercolor', '--teacher', 'watercolour');
    expect(created.out).toBe('Created concept 1: Watercolor\n');
    expect((await cli('concepts', 'list', '--project', '1')).out).toMatch(/1 +Watercolor +watercolour +make it a watercolor/);
    const misspelt = await cli('concepts', 'create', '--project', '1', 'Ink', '--teacher', 'watercolor');
    expect(misspelt.code).toBe(1);
    expect(misspelt.err).toMatch(/teacher: 'watercolor' is not a built-in teacher \(known: .*watercolour/);
    const duplicate = await cli('concepts', 'create', '--project', '1', 'Watercolor');
    expect(duplicate.code).toBe(1);
    expect(duplicate.err).toMatch(/already has a concept named 'Watercolor'/);
    expect((await cli('images', 'list', '--project', '1')).out).toMatch(/has no images/);
    await writePng(path.join(temp.dir, 'x.png'), 3);
    await cli('import', '--project', '1', path.join(temp.dir, 'x.png'));
    const images = JSON.parse((await cli('images', 'list', '--project', '1', '--json')).out);
    expect(images).toMatchObject([{ id: 1, originalName: 'x.png', width: 64, height: 48, format: 'png' }]);
    expect(images[0].path).toBe(path.join(temp.dir, 'home', 'blobs', images[0].sha256.slice(0, 2), images[0].sha256.slice(2)));
  });

  it('storage gc frees the blobs of a deleted project', async () => {
    await cli('projects', 'create', 'Temporary');
    const folder = path.join(temp.dir, 'in');
    await writePng(path.join(folder, 'a.png'), 11);
    expect((await cli('import', '--project', '1', folder)).code).toBe(0);
    const kept = JSON.parse((await cli('storage', 'gc', '--min-age-hours', '0', '--json')).out);
    expect(kept).toMatchObject({ removed: 0, remaining: { blobCount: 2 } });
    await cli('projects', 'delete', '1', '--yes');
    const freed = JSON.parse((await cli('storage', 'gc', '--min-age-hours', '0', '--json')).out);
    expect(freed).toMatchObject({ examined: 2, removed: 2, stoppedBecause: null, remaining: { blobCount: 0, bytes: 0 } });
  });
});
