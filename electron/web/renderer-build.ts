/**
 * Browser mode serves the built renderer (dist/renderer). It is rebuilt with vite when missing or older than
 * any renderer source or the API modules it bundles, so `npm run web` after a `git pull` shows current code.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const defaultRendererDir = path.join(repoRoot, 'dist', 'renderer');

/** Folders and files whose changes make the built renderer stale. */
const RENDERER_INPUTS = ['renderer', path.join('electron', 'api'), 'package.json'];

export async function newestSourceMtime(root = repoRoot): Promise<number> {
  let newest = 0;
  const visit = async (target: string): Promise<void> => {
    const info = await stat(target).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      const entries = await readdir(target);
      await Promise.all(entries.filter((name) => name !== 'node_modules').map((name) => visit(path.join(target, name))));
    } else {
      newest = Math.max(newest, info.mtimeMs);
    }
  };
  await Promise.all(RENDERER_INPUTS.map((input) => visit(path.join(root, input))));
  return newest;
}

export async function isRendererStale(outDir = defaultRendererDir): Promise<boolean> {
  const index = path.join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  return (await newestSourceMtime()) > built;
}

/**
 * Builds the renderer with its own vite config (owned by the UI) if it is missing or stale.
 *
 * Several processes may ask at once (`npm run web`, `npm start`'s fallback, tests in parallel), so the build is
 * serialized with a lock file, goes to a temporary folder, and replaces dist/renderer by rename: a server never
 * sees a half-emptied folder.
 */
export async function ensureRendererBuilt(log: (line: string) => void = () => undefined): Promise<{ built: boolean }> {
  inProcess ??= buildWhenStale(log).finally(() => (inProcess = undefined));
  return inProcess;
}

let inProcess: Promise<{ built: boolean }> | undefined;
const LOCK_STALE_MS = 5 * 60 * 1000;

async function buildWhenStale(log: (line: string) => void): Promise<{ built: boolean }> {
  if (!(await isRendererStale())) return { built: false };
  const distDir = path.dirname(defaultRendererDir);
  await mkdir(distDir, { recursive: true });
  const release = await acquireLock(path.join(distDir, '.renderer-build.lock'));
  try {
    // Another process may have built it while we waited for the lock.
    if (!(await isRendererStale())) return { built: false };
    log('Building the renderer (vite)…');
    const staging = path.join(distDir, `.renderer-${process.pid}-${Date.now()}`);
    const { build } = await import('vite');
    await build({
      configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
    const previous = `${staging}.old`;
    const hadPrevious = existsSync(defaultRendererDir);
    if (hadPrevious) await rename(defaultRendererDir, previous);
    await rename(staging, defaultRendererDir);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
    return { built: true };
  } finally {
    await release();
  }
}

async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed build must not block forever.
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) await rm(lockPath, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
