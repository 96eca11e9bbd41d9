/** The data folder and its database are private to their owner (POSIX modes; Windows has no such bits). */
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/store/store';

const mode = (file: string) => statSync(file).mode & 0o777;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-private-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('private data folder', () => {
  it('a new data folder is 0700 and the database with its WAL files 0600, whatever the umask', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = path.join(root, 'fresh', 'E2GAN Studio');
      const store = openStore(dataDir);
      store.projects.create('first');
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(store.layout.database)).toBe(0o600);
      expect(mode(`${store.layout.database}-wal`)).toBe(0o600);
      expect(mode(`${store.layout.database}-shm`)).toBe(0o600);
      store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('an existing studio folder made by an older build is tightened, its data kept', () => {
    const dataDir = path.join(root, 'old');
    const first = openStore(dataDir);
    first.projects.create('kept');
    first.close();
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, 'studio.sqlite'), 0o644);

    const reopened = openStore(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(reopened.layout.database)).toBe(0o600);
    expect(reopened.projects.list().map((project) => project.name)).toEqual(['kept']);
    reopened.close();
  });

  it('an existing folder the user named (E2GAN_STUDIO_HOME) that holds no studio keeps its own mode', () => {
    const dataDir = path.join(root, 'shared-folder');
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    writeFileSync(path.join(dataDir, 'notes.txt'), 'the user’s own file');
    const store = openStore(dataDir);
    expect(mode(dataDir)).toBe(0o750);
    expect(mode(store.layout.database)).toBe(0o600);
    store.close();
  });
});
