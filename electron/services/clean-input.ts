import { InvalidInputError } from '../domain/errors';

/** Names and texts as the services store them: trimmed, checked, with an error naming the field. */

const MAX_NAME_LENGTH = 200;

export function cleanName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${field}: expected a string, got ${typeof value}`);
  const name = value.trim();
  if (name.length === 0) throw new InvalidInputError(`${field}: must not be empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`${field}: at most ${MAX_NAME_LENGTH} characters, got ${name.length}`);
  }
  return name;
}

export function cleanText(value: unknown, field: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new InvalidInputError(`${field}: expected a string, got ${typeof value}`);
  return value.trim();
}
