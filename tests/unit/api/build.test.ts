/** The Electron bundles scripts/build.mjs makes: what each may load at run time. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without type declarations
import { buildElectronBundles, NATIVE_EXTERNALS } from '../../../scripts/build.mjs';

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'e2gan-build-'));
  await buildElectronBundles({ outDir });
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

async function requiresOf(bundle: string): Promise<string[]> {
  const code = await readFile(path.join(outDir, bundle), 'utf8');
  return [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!))].sort();
}

const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

describe('electron bundles', () => {
  it('main and the job process load only Node builtins and the native externals', async () => {
    for (const bundle of ['main.cjs', 'job-process.cjs']) {
      const packages = (await requiresOf(bundle)).filter((name) => !isBuiltin(name));
      expect(
        packages.every((name) => (NATIVE_EXTERNALS as string[]).includes(name)),
        `${bundle}: ${packages.join(', ')}`,
      ).toBe(true);
    }
    expect(await requiresOf('main.cjs')).toContain('electron');
    // The job process does the image work: sharp and the database must be loadable there.
    expect(await requiresOf('job-process.cjs')).toEqual(expect.arrayContaining(['better-sqlite3', 'sharp']));
  });

  it('the sandboxed preload requires nothing but electron and stays small', async () => {
    expect(await requiresOf('preload.cjs')).toEqual(['electron']);
    const size = (await readFile(path.join(outDir, 'preload.cjs'))).length;
    expect(size).toBeLessThan(16 * 1024);
  });

  it('main exposes the contract over IPC and loads the renderer from the studio:// scheme', async () => {
    const main = await readFile(path.join(outDir, 'main.cjs'), 'utf8');
    expect(main).toContain('studio:call:');
    expect(main).toContain('registerSchemesAsPrivileged');
    expect(main).toContain('requestSingleInstanceLock');
    expect(main).toContain('com.e2gan.studio');
  });
});
