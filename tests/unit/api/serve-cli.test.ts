import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../../electron/web/serve-cli';

describe('npm run web arguments', () => {
  it('takes --port and --data-dir', () => {
    expect(parseServeArgs(['--port', '5123', '--data-dir', '/tmp/studio'])).toEqual({ port: 5123, dataDir: '/tmp/studio', allowedPathRoots: [] });
  });

  it('takes --allow-path, repeatable, as absolute folders', () => {
    expect(parseServeArgs(['--allow-path', '/srv/runs', '--allow-path', 'relative/runs']).allowedPathRoots).toEqual([
      '/srv/runs',
      path.resolve('relative/runs'),
    ]);
  });

  it('defaults to a random port and the studio data folder', () => {
    const previous = process.env.E2GAN_STUDIO_HOME;
    process.env.E2GAN_STUDIO_HOME = '/tmp/from-env';
    try {
      expect(parseServeArgs([])).toEqual({ port: 0, dataDir: path.resolve('/tmp/from-env'), allowedPathRoots: [] });
    } finally {
      if (previous === undefined) delete process.env.E2GAN_STUDIO_HOME;
      else process.env.E2GAN_STUDIO_HOME = previous;
    }
  });

  it('names the bad flag and value', () => {
    expect(() => parseServeArgs(['--port', 'eighty'])).toThrow("--port: expected an integer 0..65535, got 'eighty'");
    expect(() => parseServeArgs(['--port', '70000'])).toThrow('--port');
    expect(() => parseServeArgs(['--bogus'])).toThrow(/bogus/);
  });
});
