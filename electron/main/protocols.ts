/**
 * The two custom schemes: studio://app/… serves the built renderer with the CSP header (so 'self' means our
 * own files and nothing on disk or the network), studio-blob://blobs/<sha256> serves stored images for <img>.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';
import { APP_SCHEME, BLOB_SCHEME } from '../api/ipc-channels';
import type { Services } from '../services/services';
import { SHA256_PATTERN, sniffImageType } from '../web/blob-files';
import { contentSecurityPolicy } from '../web/csp';

/** Must run before app 'ready'. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: BLOB_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export const electronCsp = contentSecurityPolicy({ imageSources: [`${BLOB_SCHEME}:`] });

export function handleAppProtocols(rendererDir: string, services: Services): void {
  const root = path.resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const filePath = path.resolve(root, relative);
    if (!filePath.startsWith(root + path.sep)) return new Response('not found', { status: 404 });
    const body = await readFile(filePath).catch(() => undefined);
    if (!body) return new Response(`not found: ${url.pathname}`, { status: 404 });
    return new Response(body, {
      headers: {
        'content-type': MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': electronCsp,
        'x-content-type-options': 'nosniff',
      },
    });
  });

  protocol.handle(BLOB_SCHEME, async (request) => {
    const url = new URL(request.url);
    const sha256 = url.pathname.slice(1);
    if (url.host !== 'blobs' || !SHA256_PATTERN.test(sha256)) return new Response('bad blob URL', { status: 400 });
    const filePath = services.images.blobPath(sha256);
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) return new Response(`no blob ${sha256}`, { status: 404 });
    return new Response(await readFile(filePath), {
      headers: { 'content-type': await sniffImageType(filePath), 'cache-control': 'private, max-age=31536000, immutable' },
    });
  });
}
