import { createHash } from 'node:crypto';

/** sha256 hex of encoded model bytes: the key runtimes use to cache sessions per distinct graph. */
export function graphHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
