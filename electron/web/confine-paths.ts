/**
 * Browser mode's file-path rule: a browser page has no files of its own on this machine, so every API method
 * that takes a path may only name something it uploaded (under the staging folder), or something inside a
 * folder the person who started browser mode allowed (`--allow-path`). Anything else is refused with one
 * message whether or not the path exists, so the WebSocket can neither read arbitrary files (and serve them
 * back as blobs) nor probe which paths exist.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ApiHandlers } from '../api/contract';
import { InvalidInputError } from '../domain/errors';

export function isInsideFolder(folder: string, candidate: string): boolean {
  const root = path.resolve(folder) + path.sep;
  const resolved = path.resolve(candidate);
  if (!resolved.startsWith(root)) return false;
  // Missing: lexically inside is all there is to check (reading it will fail anyway).
  if (!existsSync(resolved)) return true;
  // A symlink inside the folder could point anywhere: judge existing paths by where they really lead.
  try {
    return realpathSync(resolved).startsWith(realpathSync(folder) + path.sep);
  } catch {
    return false;
  }
}

function refuse(field: string, given: string): never {
  throw new InvalidInputError(
    `${field}: not allowed in browser mode: only uploaded files (in the studio's staging folder) and folders allowed with --allow-path can be read, got ${given}`,
  );
}

/**
 * The handler table with every path-taking method refusing paths outside `stagingDir` and `allowedRoots`. The
 * groups are the services themselves, so the table and the groups it changes are copies: the services stay
 * unconfined for the rest of the process (the CLI, tests).
 */
export function confinePathsToStaging(handlers: ApiHandlers, stagingDir: string, allowedRoots: readonly string[] = []): ApiHandlers {
  const roots = [stagingDir, ...allowedRoots];
  const check = (field: string, given: string) => {
    if (!roots.some((root) => isInsideFolder(root, given) || path.resolve(root) === path.resolve(given))) refuse(field, given);
  };
  const checkSources = (sources: readonly { path: string }[]) => sources.forEach((source, index) => check(`sources.${index}.path`, source.path));

  const { imports, pairs, models, exports } = handlers;
  return {
    ...handlers,
    imports: {
      ...imports,
      start: (input) => {
        checkSources(input.sources);
        return imports.start(input);
      },
    },
    pairs: {
      ...pairs,
      importPaired: (input) => {
        checkSources(input.sources);
        return pairs.importPaired(input);
      },
    },
    models: {
      ...models,
      importFolder: (input) => {
        check('path', input.path);
        return models.importFolder(input);
      },
    },
    exports: {
      ...exports,
      start: (input) => {
        if (input.runPath !== undefined) check('runPath', input.runPath);
        return exports.start(input);
      },
    },
  };
}
