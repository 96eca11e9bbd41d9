/**
 * Content-Security-Policy for the renderer, shared by browser mode (HTTP header) and Electron (protocol
 * response header). Nothing remote: scripts, styles and fonts only from the app itself, images only from the
 * app and its blob route, no inline script, no eval (WebAssembly compilation is allowed for onnxruntime-web).
 */
export interface CspOptions {
  /** Extra img-src sources, e.g. 'studio-blob:' in Electron. */
  imageSources?: readonly string[];
  /** Extra connect-src sources, e.g. the browser-mode WebSocket origin. */
  connectSources?: readonly string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'blob:', ...(options.imageSources ?? [])],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...(options.connectSources ?? [])],
    ['worker-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((parts) => parts.join(' ')).join('; ');
}

/** Headers every browser-mode response carries. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    // The token is in the page URL: never send it along as a Referer.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}
