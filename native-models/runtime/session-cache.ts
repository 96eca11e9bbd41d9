/**
 * Sessions keyed by graph hash and options, so the same compiled graph (train step, read-back identity,
 * inference net) opens once per process no matter how many callers ask for it.
 */
import { createHash } from 'node:crypto';
import { openSession, type OpenSessionOptions, type RuntimeSession } from './session';

export function graphHash(model: Uint8Array): string {
  return createHash('sha256').update(model).digest('hex');
}

function optionsKey(options: OpenSessionOptions): string {
  const entries = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

export class SessionCache {
  private readonly sessions = new Map<string, Promise<RuntimeSession>>();
  private readonly refs = new Map<string, number>();

  /** Cache key for a model + options; equal bytes and equal options share one session. */
  static key(model: Uint8Array, options: OpenSessionOptions = {}): string {
    return `${graphHash(model)}:${optionsKey(options)}`;
  }

  get size(): number {
    return this.sessions.size;
  }

  has(model: Uint8Array, options: OpenSessionOptions = {}): boolean {
    return this.sessions.has(SessionCache.key(model, options));
  }

  /** Opens the session once; concurrent callers await the same open. A failed open is not cached. */
  async get(model: Uint8Array, options: OpenSessionOptions = {}): Promise<RuntimeSession> {
    const key = SessionCache.key(model, options);
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = openSession(model, options);
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    return pending;
  }

  /** Like get(), but counted: the session stays open until every acquire() has a matching releaseRef(). */
  async acquire(model: Uint8Array, options: OpenSessionOptions = {}): Promise<{ session: RuntimeSession; key: string }> {
    const key = SessionCache.key(model, options);
    const session = await this.get(model, options);
    this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
    return { session, key };
  }

  /** Drops one reference taken by acquire(); releases the session with the last one. Returns whether it did. */
  async releaseRef(key: string): Promise<boolean> {
    const count = this.refs.get(key);
    if (count === undefined) throw new Error(`SessionCache: no references held for key ${key.slice(0, 16)}…`);
    if (count > 1) {
      this.refs.set(key, count - 1);
      return false;
    }
    this.refs.delete(key);
    const pending = this.sessions.get(key);
    this.sessions.delete(key);
    if (pending) await (await pending).release();
    return true;
  }

  async release(model: Uint8Array, options: OpenSessionOptions = {}): Promise<void> {
    const key = SessionCache.key(model, options);
    const pending = this.sessions.get(key);
    if (!pending) return;
    this.sessions.delete(key);
    this.refs.delete(key);
    await (await pending).release();
  }

  async releaseAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.refs.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => null))?.release()));
  }
}
