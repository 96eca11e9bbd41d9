import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FOLDERS = ['native-models/image', 'native-models/teachers', 'native-models/util/rng.ts'];
// The ML engine stays free of UI and desktop shells; only native-models/runtime may load onnxruntime.
const FORBIDDEN = /^(electron|svelte|onnxruntime-node|onnxruntime-web)(\/|$)|^\.\.\/\.\.\/(electron|renderer)\//;

function sourceFiles(path: string): string[] {
  if (path.endsWith('.ts')) return [path];
  return readdirSync(join(ROOT, path), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(path, entry.name)) : entry.name.endsWith('.ts') ? [join(path, entry.name)] : [],
  );
}

describe('image and teacher modules layering', () => {
  it('import no electron, svelte, onnxruntime or app-shell code', () => {
    const offenders: string[] = [];
    for (const file of FOLDERS.flatMap(sourceFiles)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (FORBIDDEN.test(match[1]!)) offenders.push(`${file}: ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the check itself catches a forbidden import', () => {
    expect(FORBIDDEN.test('electron')).toBe(true);
    expect(FORBIDDEN.test('onnxruntime-node')).toBe(true);
    expect(FORBIDDEN.test('../../electron/paths')).toBe(true);
    expect(FORBIDDEN.test('./image')).toBe(false);
  });
});
