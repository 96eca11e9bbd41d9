/**
 * The API as browser mode serves it: the contract's handlers (the services as they are) with browser mode's
 * path rule on top, the staging folder emptied behind imports, and one dispatcher for the WebSocket.
 */
import type { ApiHandlers } from '../api/contract';
import { createDispatcher, type Dispatch } from '../api/dispatch';
import { createApiHandlers, nodeAppInfo } from '../api/handlers';
import type { Services } from '../services/services';
import { confinePathsToStaging } from './confine-paths';
import { removeStagedBatches, type StagingQuota } from './staging';

export interface BrowserModeApiOptions {
  services: Services;
  version: string;
  stagingDir: string;
  stagingQuota: StagingQuota;
  /** Folders besides staging whose files API methods may read (`--allow-path`). */
  allowedRoots: readonly string[];
  log: (line: string) => void;
}

export interface BrowserModeApi {
  dispatch: Dispatch;
  /** Stops the staging cleanup (the services may outlive the server). */
  stop(): void;
}

export function createBrowserModeApi({ services, version, stagingDir, stagingQuota, allowedRoots, log }: BrowserModeApiOptions): BrowserModeApi {
  // A browser page has no file paths of its own: everything it imports was uploaded into staging.
  const confined = confinePathsToStaging(createApiHandlers(services, nodeAppInfo('browser', version, services.dataDir)), stagingDir, allowedRoots);
  // Staged copies are deleted once imported (imported images live in the blob store). Paired imports finish
  // within the call; image imports when their job is done or cancelled (failed and interrupted ones may resume).
  const handlers: ApiHandlers = {
    ...confined,
    pairs: {
      ...confined.pairs,
      importPaired: async (input) => {
        const result = await confined.pairs.importPaired(input);
        await removeStagedBatches(
          stagingDir,
          input.sources.map((source) => source.path),
          stagingQuota,
        );
        return result;
      },
    },
  };
  const stop = services.events.on('jobChanged', ({ job }) => {
    if (job.kind !== 'import-images' || (job.state !== 'done' && job.state !== 'cancelled')) return;
    const files = job.payload.files.map((file) => file.path);
    void removeStagedBatches(stagingDir, files, stagingQuota).catch((error) => log(`[web] staging cleanup failed: ${String(error)}`));
  });
  const dispatch = createDispatcher(handlers, {
    onInternalError: (method, error) => console.error(`[web] ${method} failed`, error),
  });
  return { dispatch, stop };
}
