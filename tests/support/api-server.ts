/** A real browser-mode back end for tests that need the API, not the page: it serves a stub page instead of building the renderer. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { WsStudioApi } from '../../electron/api/ws-client';
import { startWebServer, type WebServer, type WebServerOptions } from '../../electron/web/server';
import { connectWsApi } from './ws-api';

/** Starts the server on a free port with its data under `root`/data (unless `options` say otherwise). */
export async function startApiServer(root: string, options: Partial<WebServerOptions> = {}): Promise<WebServer> {
  const rendererDir = path.join(root, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>stub</title>');
  return startWebServer({ dataDir: path.join(root, 'data'), port: 0, rendererDir, buildRenderer: 'never', ...options });
}

/** One test file's server: its temporary folder, the server, and a WebSocket API client connected to it. */
export interface StudioServer {
  readonly root: string;
  readonly server: WebServer;
  readonly api: WsStudioApi;
}

/** What a test file adds to its server: the server's options, and what to close after it. */
export interface StudioServerSetup {
  /** Passed to startApiServer (services the file made, allowed path roots, ...). */
  readonly options?: Partial<WebServerOptions>;
  /** Runs after the server has closed, before the folder is removed: closes what the setup made. */
  readonly teardown?: () => Promise<void>;
}

/**
 * Registers the file's beforeAll/afterAll hooks: a fresh temporary folder named from `prefix`, `setup` (given
 * the folder; for services, fixtures or a fake hub the server needs), a server under it (startApiServer) and a
 * connected WebSocket client; afterwards the client is disposed, the server closed, the setup's teardown run and
 * the folder removed. The returned accessors read them once beforeAll has run (they throw before, naming the field).
 */
export function useStudioServer(prefix: string, setup?: (root: string) => Promise<StudioServerSetup>, setupTimeoutMs?: number): StudioServer {
  let root: string | undefined;
  let server: WebServer | undefined;
  let api: WsStudioApi | undefined;
  let teardown: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), prefix));
    const prepared = (await setup?.(root)) ?? {};
    teardown = prepared.teardown;
    server = await startApiServer(root, prepared.options);
    api = connectWsApi(server);
  }, setupTimeoutMs);
  afterAll(async () => {
    api?.dispose();
    await server?.close();
    await teardown?.();
    if (root) await rm(root, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useStudioServer('${prefix}'): ${name} is only there once beforeAll has run`);
    return value;
  };
  return {
    get root() {
      return started(root, 'root');
    },
    get server() {
      return started(server, 'server');
    },
    get api() {
      return started(api, 'api');
    },
  };
}
