import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** What the structure tests read as source: TypeScript, JavaScript and Svelte files (not declaration files). */
export const SOURCE_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js', '.svelte'];

/** Every source file below `root/folder` (recursively; node_modules and dot folders skipped); [] if it is absent. */
export function listSourceFiles(root: string, folder: string): string[] {
  const start = path.join(root, folder);
  if (!existsSync(start)) return [];
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) found.push(full);
    }
  };
  visit(start);
  return found;
}
