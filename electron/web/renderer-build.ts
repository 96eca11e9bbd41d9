/**
 * Browser mode serves the built renderer (dist/renderer). It is rebuilt with vite when missing or older than
 * any renderer source or the API modules it bundles, so `npm run web` after a `git pull` shows current code.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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

/** Builds the renderer with its own vite config (owned by the UI) if it is missing or stale. */
export async function ensureRendererBuilt(log: (line: string) => void = () => undefined): Promise<{ built: boolean }> {
  if (!(await isRendererStale())) return { built: false };
  log('Building the renderer (vite)…');
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  return { built: true };
}
