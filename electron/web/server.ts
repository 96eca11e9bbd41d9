/**
 * Browser mode: the same renderer and the same back-end services as the app, served on 127.0.0.1.
 *
 * Security: every route (page, assets, WebSocket, blobs, uploads) needs the random per-launch token, given as
 * `?token=` or by the cookie the page load sets (so the page's own asset requests work); anything else gets 403.
 * The Host header must name this server (DNS-rebinding defence) and a WebSocket's Origin must be this server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, statfs } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { BLOB_PATH, UPLOAD_PATH, WS_PATH } from '../api/ws-protocol';
import { createServices } from '../services/create-services';
import type { Services } from '../services/services';
import { SHA256_PATTERN, sniffImageType } from './blob-files';
import { createBrowserModeApi } from './browser-api';
import { contentSecurityPolicy, securityHeaders } from './csp';
import { closeAfterLinger } from './linger';
import { defaultRendererDir, ensureRendererBuilt, repoRoot } from './renderer-build';
import { StagingError, StagingQuota, stageUpload, sweepStaging } from './staging';
import { createWsEndpoint } from './ws-endpoint';

export interface WebServerOptions {
  dataDir: string;
  /** 0 or absent: a random free port. */
  port?: number;
  /** Folder with the built renderer (index.html + assets). Defaults to dist/renderer, built when stale. */
  rendererDir?: string;
  /** 'if-stale' (default) runs the renderer's vite build when needed; 'never' serves rendererDir as is. */
  buildRenderer?: 'if-stale' | 'never';
  /** Use these services instead of creating them from dataDir (they are then not closed by close()). */
  services?: Services;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  maxUploadBytes?: number;
  /**
   * Cap on uploads waiting in the staging folder (default 32 GiB); an upload past it is refused with 413. Uploads
   * are also refused (507) when they would leave less than 512 MiB free on the data folder's disk.
   */
  maxStagingBytes?: number;
  /**
   * Folders whose files API methods may read besides the staging folder (e.g. where `e2gan train` writes run
   * folders). Default none: a browser page can only import what it uploaded.
   */
  allowedPathRoots?: readonly string[];
  log?: (line: string) => void;
}

export interface WebServer {
  /** Full URL to open, token included. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly services: Services;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Uploads never take the data folder's disk below this: the database and running jobs need room too. */
const MIN_FREE_DISK_BYTES = 512 * 1024 * 1024;
const STAGING_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const log = options.log ?? (() => undefined);
  const rendererDir = path.resolve(options.rendererDir ?? defaultRendererDir);
  if ((options.buildRenderer ?? 'if-stale') === 'if-stale' && rendererDir === defaultRendererDir) {
    await ensureRendererBuilt(log);
  }
  const ownsServices = !options.services;
  const services = options.services ?? createServices({ dataDir: options.dataDir });
  const token = options.token ?? randomBytes(32).toString('base64url');
  const maxUploadBytes = options.maxUploadBytes ?? 1024 * 1024 * 1024;
  const stagingDir = services.layout.staging;
  await sweepStaging(stagingDir, STAGING_MAX_AGE_MS).catch(() => undefined);
  const stagingQuota = new StagingQuota(options.maxStagingBytes ?? 32 * 1024 ** 3);
  await stagingQuota.scan(stagingDir);

  const version = await readAppVersion();
  const allowedRoots = (options.allowedPathRoots ?? []).map((root) => path.resolve(root));
  const api = createBrowserModeApi({ services, version, stagingDir, stagingQuota, allowedRoots, log });
  const wsEndpoint = createWsEndpoint(api.dispatch, services.events, log);

  let port = 0;
  const cookieName = () => `e2gan_studio_token_${port}`;
  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`]);
  const origin = () => `http://${HOST}:${port}`;
  const csp = () => contentSecurityPolicy({ connectSources: [`ws://${HOST}:${port}`] });

  const hasValidToken = (request: IncomingMessage, url: URL): boolean => {
    const given = url.searchParams.get('token') ?? readCookie(request.headers.cookie, cookieName());
    return given !== undefined && given !== null && sameSecret(given, token);
  };

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch((error) => {
      console.error('[web] request failed', error);
      if (!response.headersSent) send(response, 500, 'internal error');
      else response.destroy();
    });
  });

  const send = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { ...securityHeaders(csp()), 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
    response.end(body);
  };

  /** Ends the exchange and the connection: the rest of the request body is never read. */
  const sendAndClose = (response: ServerResponse, status: number, body: string) => {
    if (response.socket) closeAfterLinger(response.socket);
    send(response, status, body, { connection: 'close' });
  };

  const handleHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = parseRequestUrl(request.url, origin());
    if (!url) return sendAndClose(response, 400, 'bad request: malformed URL or percent-encoding');
    const isStateChanging = request.method !== 'GET' && request.method !== 'HEAD';
    // A refused request with a body is answered and its connection closed, so the unread body is never drained.
    const refuse = isStateChanging ? sendAndClose : send;
    if (!allowedHosts().has(request.headers.host ?? '')) return refuse(response, 403, 'forbidden: unexpected Host header');
    if (!hasValidToken(request, url)) return refuse(response, 403, 'forbidden: missing or wrong token');
    // The token cookie is SameSite=Strict, but every port of 127.0.0.1 is the same site: a page served by
    // another local program could still POST with it. Browsers say where a request comes from; believe them.
    if (isStateChanging && !isSameOriginRequest(request)) return sendAndClose(response, 403, 'forbidden: cross-origin request');

    if (url.pathname === UPLOAD_PATH) {
      if (request.method !== 'POST') return send(response, 405, 'use POST', { allow: 'POST' });
      const name = url.searchParams.get('name');
      if (!name) return sendAndClose(response, 400, "missing query parameter 'name' (the file's original name)");
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxUploadBytes) return sendAndClose(response, 413, `'${name.slice(0, 80)}' is larger than the ${maxUploadBytes}-byte upload limit`);
      if ((await freeBytes(stagingDir)) - (Number.isFinite(declared) ? declared : 0) < MIN_FREE_DISK_BYTES) {
        return sendAndClose(response, 507, "disk full: the data folder's disk has too little free space for this upload; free some space and try again");
      }
      try {
        const staged = await stageUpload(stagingDir, name, request, maxUploadBytes, stagingQuota);
        return send(response, 200, JSON.stringify(staged), { 'content-type': 'application/json' });
      } catch (error) {
        if (error instanceof StagingError) return sendAndClose(response, error.status, error.message);
        throw error;
      }
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendAndClose(response, 405, 'method not allowed');
    if (url.pathname.startsWith(BLOB_PATH)) return serveBlob(url.pathname.slice(BLOB_PATH.length), response);
    return serveRendererFile(url.pathname, request, response, url);
  };

  const serveBlob = async (sha256: string, response: ServerResponse) => {
    if (!SHA256_PATTERN.test(sha256)) return send(response, 400, 'a blob is named by 64 lowercase hex digits');
    const filePath = services.images.blobPath(sha256);
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) return send(response, 404, `no blob ${sha256}`);
    response.writeHead(200, {
      ...securityHeaders(csp()),
      'content-type': await sniffImageType(filePath),
      'content-length': String(info.size),
      // Content-addressed: the bytes behind a name never change.
      'cache-control': 'private, max-age=31536000, immutable',
    });
    createReadStream(filePath).pipe(response);
  };

  const serveRendererFile = async (pathname: string, request: IncomingMessage, response: ServerResponse, url: URL) => {
    const relative = pathname === '/' ? 'index.html' : safeDecode(pathname.slice(1));
    if (relative === undefined) return send(response, 400, 'bad request: malformed percent-encoding');
    const filePath = path.resolve(rendererDir, relative);
    if (!filePath.startsWith(rendererDir + path.sep)) return send(response, 404, 'not found');
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) return send(response, 404, `not found: ${pathname}`);
    const isPage = relative === 'index.html';
    const headers: Record<string, string> = {
      ...securityHeaders(csp()),
      'content-type': MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    };
    if (isPage && url.searchParams.has('token')) {
      // The page's own requests (scripts, styles) carry no query token; this cookie authorizes them.
      headers['set-cookie'] = `${cookieName()}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    response.writeHead(200, headers);
    if (request.method === 'HEAD') return response.end();
    response.end(await readFile(filePath));
  };

  // ---- WebSocket API ----
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset from the peer before the handshake is done must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    const requestOrigin = request.headers.origin;
    const refuse = (reason: string, status = '403 Forbidden') => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}`);
    };
    const url = parseRequestUrl(request.url, origin());
    if (!url) return refuse('malformed URL', '400 Bad Request');
    if (url.pathname !== WS_PATH) return refuse('unknown WebSocket path');
    if (!allowedHosts().has(request.headers.host ?? '')) return refuse('unexpected Host header');
    if (requestOrigin !== undefined && requestOrigin !== origin() && requestOrigin !== `http://localhost:${port}`) {
      return refuse('WebSocket from a foreign origin');
    }
    if (!hasValidToken(request, url)) return refuse('missing or wrong token');
    wsEndpoint.accept(request, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin()}/?token=${token}`,
    origin: origin(),
    port,
    token,
    services,
    close() {
      closing ??= (async () => {
        wsEndpoint.close();
        api.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownsServices) await services.close();
      })();
      return closing;
    },
  };
}

/**
 * The request URL, or undefined when it cannot be parsed or holds a '%' that is not a percent-escape (decoding
 * it later would throw). Both are the client's mistake: 400, never a crash or a 500.
 */
function parseRequestUrl(raw: string | undefined, base: string): URL | undefined {
  const target = raw ?? '/';
  if (/%(?![0-9A-Fa-f]{2})/.test(target)) return undefined;
  try {
    const url = new URL(target, base);
    return safeDecode(url.pathname) === undefined ? undefined : url;
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * False when the browser says the request comes from another origin. Requests without these headers come from
 * programs (the CLI, tests, curl), which need the token like everyone else.
 */
function isSameOriginRequest(request: IncomingMessage): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const requestOrigin = request.headers.origin;
  if (requestOrigin === undefined) return true;
  const host = request.headers.host ?? '';
  return requestOrigin === `http://${host}`;
}

async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir).catch(() => undefined);
  return stats ? Number(stats.bavail) * Number(stats.bsize) : Number.POSITIVE_INFINITY;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

async function readAppVersion(): Promise<string> {
  const text = await readFile(path.join(repoRoot, 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
