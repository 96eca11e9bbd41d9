/**
 * How the source tree hangs together, next to the runtime-folder rules in import-boundaries.test.ts:
 * - no import cycle anywhere in electron/, native-models/, renderer/ or scripts/, and no allow-list (type-only
 *   imports count: a cycle of types is still two modules that cannot be understood, moved or tested one without
 *   the other; the shared types move down into a module both import);
 * - inside electron/, the back end's layers only import downwards: domain → store → jobs → services → api;
 * - SQL is written only in electron/store/ (the repositories hanging off `Store`).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSourceFiles, SOURCE_EXTENSIONS } from '../../support/source-files';

const repoRoot = path.resolve(__dirname, '../../..');
const SOURCE_FOLDERS = ['electron', 'native-models', 'renderer', 'scripts'];

/** electron/ folders from the bottom up: a file may import its own layer and the ones below, never above. */
const ELECTRON_LAYERS = ['domain', 'store', 'jobs', 'services', 'api'];

function listSources(root: string, folder: string): string[] {
  return listSourceFiles(root, folder);
}

/** The file's code without comments, so prose that mentions a module or a statement does not count. */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

/** Every relative module specifier: static, type-only, re-export, side-effect and dynamic imports. */
function relativeImportsOf(file: string): string[] {
  const code = codeOf(file);
  const specifiers: string[] = [];
  for (const match of code.matchAll(/\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]/g)) {
    specifiers.push(match[1]!);
  }
  for (const match of code.matchAll(/\b(?:import|require)\(\s*['"]([^'"\n]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers.filter((specifier) => specifier.startsWith('.'));
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** File → the files it imports, as paths relative to `root` with forward slashes. */
function importGraph(root: string, folders: string[]): Map<string, string[]> {
  const name = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of folders.flatMap((folder) => listSources(root, folder))) {
    const targets = relativeImportsOf(file)
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined && !target.endsWith('.css'));
    graph.set(name(file), [...new Set(targets.map(name))]);
  }
  return graph;
}

/** The groups of files that reach each other through imports (Tarjan's strongly connected components), sorted. */
function findCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    lowLink.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(target)!));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || graph.get(file)!.includes(file)) cycles.push(group.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A readable report of one group: each file with the group members it imports. */
function describeCycle(group: string[], graph: Map<string, string[]>): string {
  const lines = group.map(
    (file) =>
      `  ${file} -> ${graph
        .get(file)!
        .filter((target) => group.includes(target))
        .join(', ')}`,
  );
  return `${group.length} files import each other:\n${lines.join('\n')}`;
}

function layerOf(file: string): number {
  const match = /^electron\/([^/]+)\//.exec(file);
  return match ? ELECTRON_LAYERS.indexOf(match[1]!) : -1;
}

/** The keyword pairs of the four data statements, possibly over a few lines (comments are stripped first). */
const SQL_STATEMENT = /\b(SELECT|INSERT|UPDATE|DELETE)\b[^;]{0,300}?\b(FROM|INTO|SET)\b/;

describe('module structure', () => {
  it('the cycle finder sees type-only and re-export cycles and leaves acyclic files out', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'e2gan-cycles-'));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write('src/a.ts', "import { b } from './b';\nexport const a = b;");
    write('src/b.ts', "export { c as b } from './deep/c';");
    write('src/deep/c.ts', "import type { A } from '../a';\nexport const c = 1;");
    write('src/d.ts', "import { a } from './a';\n// import { d } from './d';\nexport const d = a;");
    write('src/e.ts', "export const e = () => import('./e');");
    try {
      const graph = importGraph(root, ['src']);
      expect(findCycles(graph)).toEqual([['src/a.ts', 'src/b.ts', 'src/deep/c.ts'], ['src/e.ts']]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('no import cycle in electron/, native-models/, renderer/ or scripts/', () => {
    const graph = importGraph(repoRoot, SOURCE_FOLDERS);
    expect(graph.size).toBeGreaterThan(200);
    // Every folder is really read (a renamed folder would silently drop out of the check).
    for (const folder of SOURCE_FOLDERS)
      expect(
        [...graph.keys()].some((file) => file.startsWith(`${folder}/`)),
        folder,
      ).toBe(true);
    expect(graph.get('electron/store/store.ts')).toContain('electron/store/repositories/pairs.ts');
    expect(graph.get('renderer/vite.config.ts')).toBeDefined();
    // The two type cycles this check used to allow by name stay broken: the shared types sit below both files.
    expect(graph.get('native-models/runtime/adapters.ts')).toContain('native-models/runtime/provider-names.ts');
    expect(graph.get('native-models/diffusion/pipeline/model-io.ts')).toContain('native-models/diffusion/signatures.ts');
    const cycles = findCycles(graph);
    expect(cycles.map((group) => describeCycle(group, graph))).toEqual([]);
  });

  it('electron layers import only downwards: domain, store, jobs, services, api', () => {
    const graph = importGraph(repoRoot, ['electron']);
    const offenders: string[] = [];
    for (const [file, targets] of graph) {
      const layer = layerOf(file);
      if (layer < 0) continue;
      for (const target of targets) {
        if (layerOf(target) > layer) offenders.push(`${file} imports ${target}`);
      }
    }
    expect(layerOf('electron/jobs/kinds/train-run.ts')).toBeLessThan(layerOf('electron/services/training-service.ts'));
    expect(offenders).toEqual([]);
  });

  it('SQL is written only in electron/store/', () => {
    expect(SQL_STATEMENT.test("`UPDATE jobs SET payload = json_set(payload, '$.x', json(?))\n WHERE id = ?`")).toBe(true);
    expect(SQL_STATEMENT.test("`SELECT json_extract(payload, '$.x') AS x\n  FROM jobs`")).toBe(true);
    expect(SQL_STATEMENT.test("['INPUT', 'SELECT', 'TEXTAREA']")).toBe(false);
    const offenders = listSources(repoRoot, 'electron')
      .filter((file) => !file.startsWith(path.join(repoRoot, 'electron', 'store') + path.sep))
      .filter((file) => SQL_STATEMENT.test(codeOf(file)))
      .map((file) => path.relative(repoRoot, file));
    expect(offenders).toEqual([]);
  });
});
