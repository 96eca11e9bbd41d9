import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { methodEntries, type ApiHandlers } from '../../../electron/api/contract';
import { createDispatcher } from '../../../electron/api/dispatch';

// Handlers that record every call: a rejected payload must never reach one.
function recordingHandlers(calls: string[]): ApiHandlers {
  const groups: Record<string, Record<string, () => unknown>> = {};
  for (const entry of methodEntries) {
    groups[entry.group] ??= {};
    groups[entry.group][entry.key] = () => {
      calls.push(entry.name);
      return null;
    };
  }
  return groups as unknown as ApiHandlers;
}

/** Bad payloads derived from each method's schema, so a new method is covered without editing this file. */
function badPayloads(schema: z.ZodType): { label: string; payload: unknown }[] {
  const cases: { label: string; payload: unknown }[] = [
    { label: 'a string', payload: 'nope' },
    { label: 'a number', payload: 42 },
    { label: 'an array', payload: [] },
  ];
  const objectSchema = unwrapOptional(schema);
  if (objectSchema instanceof z.ZodObject) {
    const valid = validExample(objectSchema);
    cases.push({ label: 'an unknown field', payload: { ...valid, unexpectedField: 1 } });
    for (const key of Object.keys(objectSchema.shape)) {
      // A nested object is invalid for every field the contract has (ids, names, paths, arrays).
      cases.push({ label: `field '${key}' of the wrong type`, payload: { ...valid, [key]: { wrong: true } } });
    }
  } else {
    cases.push({ label: 'an object where nothing is expected', payload: { unexpected: true } });
  }
  return cases;
}

function unwrapOptional(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

/** A payload that passes the schema: built per field type, then checked with the schema itself. */
function validExample(schema: z.ZodObject): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (field instanceof z.ZodOptional) continue;
    // A field whose valid values the generic examples below miss (paths, enums) carries its own.
    const declared = field.meta()?.example;
    if (declared !== undefined) example[key] = declared;
    else if (field instanceof z.ZodNumber) example[key] = 1;
    else if (field instanceof z.ZodString) example[key] = 'name';
    else if (field instanceof z.ZodArray) example[key] = [{ path: '/tmp/a.png' }];
    else throw new Error(`no example for field ${key}`);
  }
  expect(schema.safeParse(example).success, `example for ${JSON.stringify(example)}`).toBe(true);
  return example;
}

describe('every API method rejects invalid payloads with a typed error', () => {
  for (const entry of methodEntries) {
    for (const { label, payload } of badPayloads(entry.input)) {
      it(`${entry.name} given ${label}`, async () => {
        const calls: string[] = [];
        const dispatch = createDispatcher(recordingHandlers(calls));
        const result = await dispatch(entry.name, payload);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('invalid_input');
        if (result.error.code !== 'invalid_input') return;
        expect(result.error.method).toBe(entry.name);
        expect(Array.isArray(result.error.path)).toBe(true);
        expect(result.error.expected.length).toBeGreaterThan(0);
        expect(result.error.received.length).toBeGreaterThan(0);
        expect(result.error.message).toContain(entry.name);
        expect(calls).toEqual([]);
      });
    }
  }
});

describe('error details', () => {
  it('names the field, what was expected and what was received', async () => {
    const dispatch = createDispatcher(recordingHandlers([]));
    const result = await dispatch('projects.rename', { projectId: 'seven', name: 'x' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', path: ['projectId'], expected: 'number', received: 'string "seven"' },
    });
  });

  it('never echoes a rejected token, only its length', async () => {
    const dispatch = createDispatcher(recordingHandlers([]));
    const token = `hf_${'S3cr3t'.repeat(200)}`; // over the 1024-character limit
    const result = await dispatch('models.setToken', { token });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', path: ['token'] } });
    if (result.ok || result.error.code !== 'invalid_input') return;
    expect(result.error.received).toBe(`string of ${token.length} characters (not shown: a secret)`);
    expect(JSON.stringify(result.error)).not.toContain('S3cr3t');
  });

  it('reports nested paths inside arrays', async () => {
    const dispatch = createDispatcher(recordingHandlers([]));
    const result = await dispatch('imports.start', { projectId: 1, sources: [{ path: '/ok.png' }, { path: 'relative.png' }] });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', path: ['sources', 1, 'path'] } });
    if (!result.ok) expect(result.error.message).toContain('absolute path');
  });

  it('trims names and rejects blank ones', async () => {
    const calls: string[] = [];
    const seen: unknown[] = [];
    const handlers = recordingHandlers(calls);
    handlers.projects.create = (input) => {
      seen.push(input);
      return { id: 1, name: input.name, createdAt: '', updatedAt: '', imageCount: 0, conceptCount: 0 };
    };
    const dispatch = createDispatcher(handlers);
    expect((await dispatch('projects.create', { name: '   ' })).ok).toBe(false);
    expect((await dispatch('projects.create', { name: '  Cats  ' })).ok).toBe(true);
    expect(seen).toEqual([{ name: 'Cats' }]);
  });

  it('answers unknown methods and handler failures with typed errors', async () => {
    const handlers = recordingHandlers([]);
    handlers.projects.list = () => {
      throw new Error('disk on fire');
    };
    const internal: string[] = [];
    const dispatch = createDispatcher(handlers, { onInternalError: (m) => internal.push(m) });
    expect(await dispatch('projects.explode', undefined)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await dispatch({ not: 'a name' }, undefined)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await dispatch('projects.list', undefined)).toMatchObject({
      ok: false,
      error: { code: 'internal', message: 'projects.list failed: disk on fire' },
    });
    expect(internal).toEqual(['projects.list']);
  });
});
