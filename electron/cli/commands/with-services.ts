import { resolveDataDir } from '../../paths';
import { createServices, type Services } from '../../services/index';
import { ServiceError } from '../../domain/errors';
import { UsageError } from '../command';

/**
 * Opens the services on the data folder (E2GAN_STUDIO_HOME or the OS default) for one CLI command and always
 * closes them, so a queued job is never left half-started by a CLI call that errored.
 */
export async function withServices<T>(work: (services: Services) => Promise<T> | T): Promise<T> {
  const services = createServices({ dataDir: resolveDataDir() });
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

/** Parses a positive integer id flag or argument, naming it in the error. */
export function parseId(value: string | undefined, what: string): number {
  if (value === undefined) throw new UsageError(`${what}: required`);
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`${what}: expected a positive integer id, got '${value}'`);
  return id;
}

/** Parses an integer count flag of at least `min`, naming the flag in the error. */
export function parseCount(value: string | undefined, flag: string, min: number): number {
  if (value === undefined) throw new UsageError(`${flag}: required`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
}

/** Turns the services' not-found/invalid-input errors into plain messages (exit code 1, not a stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof ServiceError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
