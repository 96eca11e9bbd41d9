import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The Electron-free back end: reused unchanged by browser mode and the CLI, so it may not load Electron or UI code.
const FOLDERS = ['electron/store', 'electron/jobs', 'electron/services', 'electron/cli'];
const FILES = ['electron/paths.ts'];
const FORBIDDEN = /^(electron|electron\/.*|svelte|svelte\/.*)$|^\.\.?\/.*renderer\//;

function sourceFiles(folder: string): string[] {
  const full = path.join(ROOT, folder);
  return readdirSync(full).flatMap((name) => {
    const child = path.join(folder, name);
    if (statSync(path.join(ROOT, child)).isDirectory()) return sourceFiles(child);
    return name.endsWith('.ts') ? [child] : [];
  });
}

function importsOf(file: string): string[] {
  // Comments may mention module names; only code counts.
  const text = readFileSync(path.join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specifiers.push((match[1] ?? match[2])!);
  }
  return specifiers;
}

describe('back-end services layering', () => {
  const files = [...FOLDERS.flatMap(sourceFiles), ...FILES];

  it('finds the files it checks', () => {
    expect(files).toContain('electron/services/create-services.ts');
    expect(importsOf('electron/services/create-services.ts')).toContain('../store/store');
  });

  it('never imports electron, svelte or renderer code', () => {
    const offenders = files.flatMap((file) =>
      importsOf(file)
        .filter((s) => FORBIDDEN.test(s))
        .map((s) => `${file} imports '${s}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('reaches onnxruntime only through native-models/runtime', () => {
    const offenders = files.flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith('onnxruntime'))
        .map((s) => `${file} imports '${s}'`),
    );
    expect(offenders).toEqual([]);
  });
});
