/**
 * tsc does not read .svelte files, so `npm test`'s typecheck would miss a wrong prop or a typo in a component.
 * Run svelte-check (the compiler's diagnostics plus TypeScript over the components) and require it clean.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('renderer components', () => {
  it('pass svelte-check with no errors or warnings', () => {
    const result = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/svelte-check/bin/svelte-check'),
        '--tsconfig',
        './renderer/tsconfig.json',
        '--output',
        'machine',
        '--fail-on-warnings',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 110_000 },
    );
    expect(result.error).toBeUndefined();
    // Only the renderer's own files: back-end modules it reaches through type imports are checked by tsc, and
    // another area's work in progress must not fail this test.
    const problems = result.stdout.split('\n').filter((line) => / (ERROR|WARNING) "renderer\//.test(line));
    expect(problems, problems.join('\n')).toEqual([]);
    expect(result.stdout, result.stderr).toMatch(/ COMPLETED /);
  });
});
