/**
 * How a state class reads from the back end and shows what went wrong: one error line per class (the newest
 * failure of any of its loads and actions, worded as the page shows it) and a Resource for each value it loads.
 * The classes used to write the same try/catch, busy flag and error wording out again for every call.
 */
import { errorMessage } from '../errors';

/** "<context>: <reason>", or the reason alone: how a state class words a failed back-end call for the page. */
export function failureMessage(error: unknown, context?: string): string {
  const reason = errorMessage(error);
  return context ? `${context}: ${reason}` : reason;
}

/** Words a failure for the page, or returns null when the owner dealt with it (a missing project is shown as missing). */
export type DescribeFailure = (error: unknown) => string | null;

/**
 * The error line and busy flag of one state class. Its loads and actions report here, so the page shows one
 * message: the newest failure, until an action clears it or the load that failed succeeds.
 */
export class StatusLine {
  error: string | null = $state(null);
  /** How many actions started with `act` are under way. */
  private running = $state(0);
  /** True while an action runs (its buttons disable themselves). */
  readonly busy: boolean = $derived(this.running > 0);

  /**
   * A user action: clears the line, holds `busy` while it runs, and on failure shows the message and returns
   * null instead of rejecting.
   */
  async act<T>(call: () => Promise<T>, context?: string): Promise<T | null> {
    this.error = null;
    this.running++;
    try {
      return await this.attempt(call, context);
    } finally {
      this.running--;
    }
  }

  /** A call that leaves the line as it is unless it fails; a failure shows its message and returns null. */
  async attempt<T>(call: () => Promise<T>, context?: string): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      this.error = failureMessage(error, context);
      return null;
    }
  }

  /** A Resource whose failed loads show on this line: `failure` is the message's context or a function wording it. */
  resource<T>(initial: T, failure?: string | DescribeFailure): Resource<T> {
    return new Resource(initial, { line: this, ...(failure === undefined ? {} : { failure }) });
  }
}

/** A state class with one error line: `error` reads it (the page shows it; a test may clear it); the class reports through `status`. */
export abstract class WithStatusLine {
  readonly status = new StatusLine();

  get error(): string | null {
    return this.status.error;
  }
  set error(message: string | null) {
    this.status.error = message;
  }
}

export interface ResourceOptions {
  /** The owner's line, which shows a failed load until a later load succeeds (or something else replaces it). */
  line?: StatusLine;
  /** "Could not load projects" words a failure "Could not load projects: <reason>"; a function words it itself. */
  failure?: string | DescribeFailure;
}

/**
 * A value read from the back end: the newest answer, whether a load is under way, and why the last one failed.
 * An answer that arrives after a newer load started is dropped, so an older list never replaces a newer one.
 */
export class Resource<T> {
  value: T;
  loading = $state(false);
  error: string | null = $state(null);

  private readonly line: StatusLine | undefined;
  private readonly failure: string | DescribeFailure | undefined;
  /** Numbers the loads; only the newest one's answer (or failure) is kept. */
  private newest = 0;

  constructor(initial: T, options: ResourceOptions = {}) {
    this.value = $state.raw(initial);
    this.line = options.line;
    this.failure = options.failure;
  }

  /** Loads with `fetch`; resolves true when its answer was kept, false when it failed or a newer load overtook it. */
  async load(fetch: () => Promise<T>): Promise<boolean> {
    const ticket = ++this.newest;
    this.loading = true;
    try {
      const value = await fetch();
      if (ticket !== this.newest) return false;
      this.value = value;
      this.clearError();
      return true;
    } catch (error) {
      if (ticket === this.newest) this.fail(error);
      return false;
    } finally {
      if (ticket === this.newest) this.loading = false;
    }
  }

  /** Replaces the value with what an action answered (a created, renamed or updated item merged in). */
  set(value: T): void {
    this.value = value;
  }

  private fail(error: unknown): void {
    const message = typeof this.failure === 'function' ? this.failure(error) : failureMessage(error, this.failure);
    this.error = message;
    if (message !== null && this.line) this.line.error = message;
  }

  /** A success takes this resource's own failure off the line; a newer message from elsewhere stays. */
  private clearError(): void {
    if (this.error !== null && this.line?.error === this.error) this.line.error = null;
    this.error = null;
  }
}
