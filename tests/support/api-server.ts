/** A real browser-mode back end for tests that need the API, not the page: it serves a stub page instead of building the renderer. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startWebServer, type WebServer, type WebServerOptions } from '../../electron/web/server';

/** Starts the server on a free port with its data under `root`/data (unless `options` say otherwise). */
export async function startApiServer(root: string, options: Partial<WebServerOptions> = {}): Promise<WebServer> {
  const rendererDir = path.join(root, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>stub</title>');
  return startWebServer({ dataDir: path.join(root, 'data'), port: 0, rendererDir, buildRenderer: 'never', ...options });
}
