import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { readImage } from '../../../native-models/image/io';
import { psnr } from '../../../native-models/image/metrics';
import { resizeCover } from '../../../native-models/image/transform';
import { getTeacher, listTeachers } from '../../../native-models/teachers';
import { loadPairsDir } from '../../../native-models/e2gan/pairs-dir';

const SAMPLES = new URL('../../../resources/samples/', import.meta.url).pathname;

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out(text: string) {
      io.stdout += `${text}\n`;
    },
    err(text: string) {
      io.stderr += `${text}\n`;
    },
  };
  return io;
}

describe('e2gan teachers / teach', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'teach-cli-'));
    await mkdir(join(dir, 'photos'));
    await copyFile(join(SAMPLES, 'chelsea.jpg'), join(dir, 'photos', 'chelsea.jpg'));
    await copyFile(join(SAMPLES, 'coffee.jpg'), join(dir, 'photos', 'coffee.jpg'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every teacher, as text and as JSON', async () => {
    const text = captureIo();
    expect(await main(['teachers', 'list'], text)).toBe(0);
    for (const t of listTeachers()) expect(text.stdout).toContain(t.id);
    const json = captureIo();
    expect(await main(['teachers', 'list', '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as Array<{ id: string; name: string; description: string }>;
    expect(parsed.map((t) => t.id)).toEqual(listTeachers().map((t) => t.id));
    expect(parsed[0]!.name).toBe(listTeachers()[0]!.name);
  });

  it('teaches one file to an exact, reproducible target', async () => {
    const io = captureIo();
    const out = join(dir, 'single', 'cat-sketch.png');
    expect(await main(['teach', '--concept', 'pencil-sketch', '--in', join(SAMPLES, 'chelsea.jpg'), '--out', out, '--size', '64'], io)).toBe(0);
    const written = await readImage(out);
    expect([written.width, written.height]).toEqual([64, 64]);
    const expected = getTeacher('pencil-sketch').apply(resizeCover(await readImage(join(SAMPLES, 'chelsea.jpg')), 64, 64));
    // PNG stores 8 bits: the file equals the in-memory result up to rounding.
    expect(psnr(written, expected)).toBeGreaterThan(45);
  });

  it('writes a pairs folder the trainer can read', async () => {
    const io = captureIo();
    const out = join(dir, 'pairs');
    expect(await main(['teach', '--concept', 'cartoon', '--in', join(dir, 'photos'), '--out', out, '--pairs', '--size', '48'], io)).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['chelsea.input.png', 'chelsea.target.png', 'coffee.input.png', 'coffee.target.png']);
    const listing = await loadPairsDir(out);
    expect(listing.problems).toEqual([]);
    expect(listing.pairs.map((p) => p.name)).toEqual(['chelsea', 'coffee']);
    expect(listing.pairs[0]!.input.width).toBe(48);
    expect(io.stdout).toContain('cartoon: 2 of 2 images written');
  });

  it('reports a bad file in a folder by name and fails the exit code, but writes the rest', async () => {
    const photos = join(dir, 'mixed');
    await mkdir(photos);
    await copyFile(join(SAMPLES, 'coffee.jpg'), join(photos, 'coffee.jpg'));
    await writeFile(join(photos, 'broken.png'), 'not an image');
    const io = captureIo();
    const out = join(dir, 'mixed-out');
    expect(await main(['teach', '--concept', 'night', '--in', photos, '--out', out, '--max-side', '40', '--format', 'jpg'], io)).toBe(1);
    expect(io.stderr).toContain(`${join(photos, 'broken.png')}: not a readable image`);
    expect(await readdir(out)).toEqual(['coffee.jpg']);
    expect((await readImage(join(out, 'coffee.jpg'))).width).toBe(40);
  });

  it('rejects an unknown concept and missing flags with usage errors (exit 2)', async () => {
    const unknown = captureIo();
    expect(await main(['teach', '--concept', 'vangogh', '--in', 'x.png', '--out', 'y.png'], unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/unknown teacher 'vangogh' \(known: .*pencil-sketch/);
    const missing = captureIo();
    expect(await main(['teach', '--concept', 'night'], missing)).toBe(2);
    expect(missing.stderr).toContain('--in is required');
    const badSize = captureIo();
    expect(await main(['teach', '--concept', 'night', '--in', 'a', '--out', 'b', '--size', '0'], badSize)).toBe(2);
  });

  it('names a missing input file', async () => {
    const io = captureIo();
    const missing = join(dir, 'nope.jpg');
    expect(await main(['teach', '--concept', 'night', '--in', missing, '--out', join(dir, 'nope-out.png')], io)).toBe(1);
    expect(io.stderr).toContain(`${missing}: cannot read file (ENOENT)`);
  });
});
