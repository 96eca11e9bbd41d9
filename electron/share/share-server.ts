import { createServer, type Server } from 'node:https';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TlsCertificate } from './certificate';

/** One file the share server may hand out, under the route `/s/<token>/<route>`. */
export interface SharedFile {
  route: string;
  path: string;
}

export interface ShareServerOptions {
  /** The complete list of what can be downloaded. Routes are exact names: nothing is resolved against a folder. */
  files: readonly SharedFile[];
  /** Interface to listen on: the LAN address while sharing to a phone, 127.0.0.1 in tests. */
  host: string;
  port?: number;
  certificate: TlsCertificate;
  /** How long the link stays valid. Default 15 minutes. */
  ttlMs?: number;
  /** Route served for `/s/<token>/`. Default 'index.html'. */
  indexRoute?: string;
}

export type ShareEndReason = 'stopped' | 'expired';

export interface ShareSession {
  readonly url: string;
  readonly token: string;
  readonly expiresAt: Date;
  readonly host: string;
  readonly port: number;
  /** Resolves when the server has closed, saying why. */
  readonly ended: Promise<ShareEndReason>;
  isActive(): boolean;
  stop(): Promise<void>;
}

export const DEFAULT_SHARE_TTL_MS = 15 * 60_000;

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  wasm: 'application/wasm',
  onnx: 'application/octet-stream',
  ort: 'application/octet-stream',
  safetensors: 'application/octet-stream',
  zip: 'application/zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  md: 'text/markdown; charset=utf-8',
};

// The page runs onnxruntime-web (wasm needs 'wasm-unsafe-eval'; threads need cross-origin isolation) on the
// camera. Referrer-Policy keeps the token in the URL from leaking to any other origin.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; " +
    "media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
};

/**
 * Starts the "send to phone" HTTPS server. It serves exactly the listed files behind an unguessable token,
 * stops by itself when the token expires, and answers everything else with a bare 403 (bad or expired token)
 * or 404 (any other path or method) that says nothing about what exists.
 */
export async function startShareServer(options: ShareServerOptions): Promise<ShareSession> {
  const routes = new Map<string, string>();
  for (const file of options.files) {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file.route) || file.route.split('/').some((p) => p === '..' || p === '.')) {
      throw new Error(`share server: route '${file.route}' must be plain names joined by '/', without '.' or '..' segments`);
    }
    routes.set(file.route, file.path);
  }
  const indexRoute = options.indexRoute ?? 'index.html';
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const ttlMs = options.ttlMs ?? DEFAULT_SHARE_TTL_MS;
  const expiresAt = new Date(Date.now() + ttlMs);
  let active = true;

  const server: Server = createServer({ key: options.certificate.key, cert: options.certificate.cert }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return deny(res, 404);
    const match = /^\/s\/([^/?#]+)\/([^?#]*)(?:\?.*)?$/.exec(req.url ?? '');
    if (!match) return deny(res, 404);
    const [, presented = '', rest = ''] = match;
    if (!tokenMatches(presented) || !active || Date.now() >= expiresAt.getTime()) return deny(res, 403);
    let route: string;
    try {
      route = rest === '' ? indexRoute : decodeURIComponent(rest);
    } catch {
      return deny(res, 404);
    }
    const path = routes.get(route);
    if (path === undefined) return deny(res, 404);
    try {
      const info = await stat(path);
      if (!info.isFile()) return deny(res, 404);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': CONTENT_TYPES[route.split('.').pop() ?? ''] ?? 'application/octet-stream',
        'Content-Length': String(info.size),
      });
      createReadStream(path)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      deny(res, 404);
    }
  }

  function tokenMatches(presented: string): boolean {
    const candidate = Buffer.from(presented);
    return candidate.length === tokenBytes.length && timingSafeEqual(candidate, tokenBytes);
  }

  function deny(res: ServerResponse, status: 403 | 404): void {
    const body = status === 403 ? 'Forbidden' : 'Not found';
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let resolveEnded!: (reason: ShareEndReason) => void;
  const ended = new Promise<ShareEndReason>((resolve) => (resolveEnded = resolve));
  const close = async (reason: ShareEndReason): Promise<void> => {
    if (!active) return;
    active = false;
    clearTimeout(expiryTimer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // a phone's keep-alive socket must not keep the server reachable
    });
    resolveEnded(reason);
  };
  const expiryTimer = setTimeout(() => void close('expired'), ttlMs);
  expiryTimer.unref();

  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `https://${hostForUrl}:${port}/s/${token}/`,
    token,
    expiresAt,
    host: options.host,
    port,
    ended,
    isActive: () => active,
    stop: () => close('stopped'),
  };
}
