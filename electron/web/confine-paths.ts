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
 * Wraps every path-taking handler so it refuses paths outside `stagingDir` and `allowedRoots`. Mutates and
 * returns `handlers`.
 */
export function confinePathsToStaging(handlers: ApiHandlers, stagingDir: string, allowedRoots: readonly string[] = []): ApiHandlers {
  const roots = [stagingDir, ...allowedRoots];
  const check = (field: string, given: string) => {
    if (!roots.some((root) => isInsideFolder(root, given) || path.resolve(root) === path.resolve(given))) refuse(field, given);
  };
  const checkSources = (sources: readonly { path: string }[]) =>
    sources.forEach((source, index) => check(`sources.${index}.path`, source.path));

  const importImages = handlers.imports.start;
  handlers.imports.start = (input) => {
    checkSources(input.sources);
    return importImages(input);
  };
  const importPaired = handlers.pairs.importPaired;
  handlers.pairs.importPaired = (input) => {
    checkSources(input.sources);
    return importPaired(input);
  };
  const importFolder = handlers.models.importFolder;
  handlers.models.importFolder = (input) => {
    check('path', input.path);
    return importFolder(input);
  };
  const startExport = handlers.exports.start;
  handlers.exports.start = (input) => {
    if (input.runPath !== undefined) check('runPath', input.runPath);
    return startExport(input);
  };
  return handlers;
}
