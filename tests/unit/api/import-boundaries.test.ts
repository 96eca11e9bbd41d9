/**
 * The runtime-folder rules as a test (VS Code's layering idea): what may import what.
 * - native-models/ never imports electron or svelte;
 * - only native-models/runtime/ imports onnxruntime-node;
 * - only electron/main/ and electron/preload/ import 'electron' (the rest is shared with browser mode and the CLI);
 * - the renderer, and every module it reaches through relative imports, imports no node: module, Node builtin or
 *   native package. Type-only imports are erased at build time and are allowed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSourceFiles, SOURCE_EXTENSIONS } from '../../support/source-files';

const repoRoot = path.resolve(__dirname, '../../..');
const NATIVE_PACKAGES = ['better-sqlite3', 'onnxruntime-node', 'sharp', 'electron', 'ws', 'tsx', 'selfsigned'];

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

function listSources(folder: string): string[] {
  return listSourceFiles(repoRoot, folder);
}

/** Whole-line comments are dropped so prose mentioning `import x from 'y'` does not count. */
function importsOf(file: string): ImportRef[] {
  const source = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');
  const refs: ImportRef[] = [];
  const staticImport = /\b(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]/g;
  for (const match of source.matchAll(staticImport)) refs.push({ specifier: match[2]!, typeOnly: Boolean(match[1]) });
  const dynamicImport = /\b(?:import|require)\(\s*['"]([^'"\n]+)['"]\s*\)/g;
  for (const match of source.matchAll(dynamicImport)) refs.push({ specifier: match[1]!, typeOnly: false });
  return refs;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), path.join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function violations(files: string[], isForbidden: (specifier: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((ref) => !ref.typeOnly && isForbidden(ref.specifier))
      .map((ref) => `${path.relative(repoRoot, file)} imports '${ref.specifier}'`),
  );
}

describe('import boundaries', () => {
  it('the import scanner sees static, re-export, dynamic and type-only imports', () => {
    const fixture = path.join(mkdtempSync(path.join(tmpdir(), 'e2gan-imports-')), 'fixture.ts');
    writeFileSync(
      fixture,
      [
        "import fs from 'node:fs';",
        "import {\n  a,\n  b as c,\n} from './multi-line';",
        "import type { Db } from 'better-sqlite3';",
        "export { x } from './re-export';",
        "export type { Y } from './type-re-export';",
        "import './side-effect.css';",
        "const ort = await import('onnxruntime-node');",
        "// import ignored from 'in-a-comment';",
      ].join('\n'),
    );
    expect(importsOf(fixture)).toEqual([
      { specifier: 'node:fs', typeOnly: false },
      { specifier: './multi-line', typeOnly: false },
      { specifier: 'better-sqlite3', typeOnly: true },
      { specifier: './re-export', typeOnly: false },
      { specifier: './type-re-export', typeOnly: true },
      { specifier: './side-effect.css', typeOnly: false },
      { specifier: 'onnxruntime-node', typeOnly: false },
    ]);
    rmSync(path.dirname(fixture), { recursive: true, force: true });
  });

  it('native-models never imports electron or svelte', () => {
    const files = listSources('native-models');
    expect(files.length).toBeGreaterThan(0);
    expect(violations(files, (s) => ['electron', 'svelte'].includes(packageName(s)) || s.endsWith('.svelte'))).toEqual([]);
  });

  it('only native-models/runtime imports onnxruntime-node', () => {
    const runtime = path.join(repoRoot, 'native-models', 'runtime') + path.sep;
    const files = ['native-models', 'electron', 'renderer', 'scripts', 'bin'].flatMap(listSources).filter((file) => !file.startsWith(runtime));
    expect(violations(files, (s) => packageName(s) === 'onnxruntime-node')).toEqual([]);
  });

  it("only electron/main and electron/preload import 'electron'", () => {
    const allowed = ['main', 'preload'].map((folder) => path.join(repoRoot, 'electron', folder) + path.sep);
    const files = ['electron', 'native-models', 'renderer'].flatMap(listSources).filter((file) => !allowed.some((prefix) => file.startsWith(prefix)));
    expect(violations(files, (s) => packageName(s) === 'electron')).toEqual([]);
  });

  it('the renderer and everything it reaches stays browser-safe', () => {
    const renderer = listSources('renderer/src');
    expect(renderer.length).toBeGreaterThan(0);
    // Follow relative (non-type) imports out of renderer/ too: e.g. electron/api/ws-client.ts ends up in the bundle.
    const reached = new Set<string>();
    const queue = [...renderer];
    while (queue.length) {
      const file = queue.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const ref of importsOf(file)) {
        if (ref.typeOnly || !ref.specifier.startsWith('.')) continue;
        const target = resolveRelative(file, ref.specifier);
        if (target && !target.endsWith('.css')) queue.push(target);
      }
    }
    expect([...reached].some((file) => file.includes(`${path.sep}electron${path.sep}api${path.sep}`))).toBe(true);
    const forbidden = (s: string) => isNodeBuiltin(s) || NATIVE_PACKAGES.includes(packageName(s));
    expect(violations([...reached], forbidden)).toEqual([]);
  });
});
