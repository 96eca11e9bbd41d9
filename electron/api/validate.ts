/**
 * Input validation at the API boundary: turns a zod failure into the typed `invalid_input` error the renderer
 * gets. Browser-safe (zod only) so the WS client and tests share it with the servers.
 */
import type { z } from 'zod';
import type { ApiErrorData, MethodEntry } from './contract';

export type ValidationResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorData };

export function validateInput(entry: MethodEntry, input: unknown): ValidationResult {
  const parsed = entry.input.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: invalidInputError(entry.name, input, parsed.error.issues) };
}

type Issue = z.core.$ZodIssue;
type Key = string | number;

export function invalidInputError(methodName: string, input: unknown, issues: readonly Issue[]): ApiErrorData {
  const first = issues[0];
  const path = first ? toKeys(first.path) : [];
  const at = path.length ? path.join('.') : 'input';
  const expected = first ? describeExpected(first) : 'valid input';
  const received = first ? describeReceived(first, valueAt(input, path), isSecretField(path)) : describeValue(input);
  return {
    code: 'invalid_input',
    method: methodName,
    path,
    expected,
    received,
    message: `${methodName}: ${at} ${first?.message ?? 'is invalid'} (expected ${expected}, received ${received})`,
    issues: issues.map((issue) => ({ path: toKeys(issue.path), message: issue.message })),
  };
}

function toKeys(path: readonly PropertyKey[]): Key[] {
  return path.map((key) => (typeof key === 'number' ? key : String(key)));
}

function describeExpected(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'undefined' ? 'no argument' : issue.expected;
    case 'too_small':
      return `${issue.origin} with ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)} ${unit(issue.origin)}`.trim();
    case 'too_big':
      return `${issue.origin} with ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)} ${unit(issue.origin)}`.trim();
    case 'unrecognized_keys':
      return 'only the declared fields';
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `string matching ${issue.format}`;
    case 'not_multiple_of':
      return `multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

function unit(origin: string): string {
  if (origin === 'string') return 'characters';
  if (origin === 'array' || origin === 'set') return 'items';
  return '';
}

function describeReceived(issue: Issue, value: unknown, secret: boolean): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  // A rejected access token is still a token: say how long it was, never what it was.
  if (secret && typeof value === 'string') return `string of ${value.length} characters (not shown: a secret)`;
  return describeValue(value);
}

/** Fields whose values must never be echoed back in an error (and so into logs and the renderer). */
function isSecretField(path: readonly Key[]): boolean {
  const last = path[path.length - 1];
  return typeof last === 'string' && /token|secret|password/i.test(last);
}

/** A short, safe description of what was sent (never the whole payload: it may be large). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
  }
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function valueAt(input: unknown, path: readonly Key[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<Key, unknown>)[key];
  }
  return current;
}
