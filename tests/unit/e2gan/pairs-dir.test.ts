import { expect, test } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPairsDir, loadPairsDir } from '../../../native-models/e2gan/pairs-dir';
import { writeImage } from '../../../native-models/image/io';
import { createImage } from '../../../native-models/image/image';

async function makeDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pairs-'));
  await writeImage(join(dir, 'cat.input.png'), createImage(12, 8, 0.2));
  await writeImage(join(dir, 'cat.target.png'), createImage(12, 8, 0.8));
  await writeImage(join(dir, 'dog.input.jpg'), createImage(10, 10, 0.5));
  await writeImage(join(dir, 'dog.target.JPG'.toLowerCase()), createImage(10, 10, 0.1));
  await writeImage(join(dir, 'lonely.input.png'), createImage(4, 4));
  await writeImage(join(dir, 'orphan.target.png'), createImage(4, 4));
  await writeImage(join(dir, 'twice.input.png'), createImage(4, 4));
  await writeImage(join(dir, 'twice.input.jpg'), createImage(4, 4));
  await writeImage(join(dir, 'twice.target.png'), createImage(4, 4));
  await writeImage(join(dir, 'big.input.png'), createImage(8, 8));
  await writeImage(join(dir, 'big.target.png'), createImage(16, 8));
  writeFileSync(join(dir, 'broken.input.png'), 'not a png');
  await writeImage(join(dir, 'broken.target.png'), createImage(4, 4));
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  writeFileSync(join(dir, '.DS_Store'), '');
  mkdirSync(join(dir, 'sub'));
  return dir;
}

test('lists clean pairs and reports every file that does not form one', async () => {
  const dir = await makeDir();
  const listing = await listPairsDir(dir);
  expect(listing.pairs.map((p) => p.name)).toEqual(['big', 'broken', 'cat', 'dog']);
  const reasons = Object.fromEntries(listing.problems.map((p) => [p.file.slice(dir.length + 1), p.reason]));
  expect(reasons['lonely.input.png']).toMatch(/no matching target file lonely\.target/);
  expect(reasons['orphan.target.png']).toMatch(/no matching input file orphan\.input/);
  expect(reasons['twice.input.jpg']).toMatch(/more than one input/);
  expect(reasons['twice.target.png']).toMatch(/more than one input/);
  expect(reasons['notes.txt']).toMatch(/does not match NAME\.input/);
  expect(reasons['sub']).toMatch(/not a regular file/);
  expect(listing.problems).toHaveLength(7);
});

test('loads and resizes pairs; unreadable and size-mismatched pairs become problems', async () => {
  const dir = await makeDir();
  const loaded = await loadPairsDir(dir, { size: 8 });
  expect(loaded.pairs.map((p) => p.name)).toEqual(['cat', 'dog']);
  const cat = loaded.pairs[0]!;
  expect([cat.input.width, cat.input.height, cat.target.width]).toEqual([8, 8, 8]);
  expect(cat.target.data[0]).toBeCloseTo(0.8, 2);
  const reasons = Object.fromEntries(loaded.problems.map((p) => [p.file.slice(dir.length + 1), p.reason]));
  expect(reasons['broken.input.png']).toMatch(/not a readable image/);
  expect(reasons['big.target.png']).toMatch(/size 16x8 differs from its input's 8x8/);
  expect(loaded.problems).toHaveLength(9);
});

test('a missing directory is an error naming it', async () => {
  await expect(loadPairsDir('/nonexistent/pairs')).rejects.toThrow(/\/nonexistent\/pairs: pairs directory does not exist/);
});
