/**
 * A concept's teacher is checked when the concept is made or changed, not only when pairs are generated: through
 * the real browser-mode server and the page's WebSocket client, a teacher that names nothing is refused as
 * invalid input naming it (and the built-in choices), and the database is exactly as before.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../electron/api/contract';
import type { WsStudioApi } from '../../../electron/api/ws-client';
import type { WebServer } from '../../../electron/web/server';
import { startApiServer } from '../../support/api-server';
import { connectWsApi } from '../../support/ws-api';

let root: string;
let server: WebServer;
let api: WsStudioApi;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'e2gan-concept-teacher-'));
  server = await startApiServer(root);
  api = connectWsApi(server);
});

afterAll(async () => {
  api?.dispose();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

/** Every project and concept row as stored, read from the database file beside the server (not through it). */
function storedRows(): { projects: unknown[]; concepts: unknown[] } {
  const db = new BetterSqlite3(path.join(root, 'data', 'studio.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return { projects: db.prepare('SELECT * FROM projects ORDER BY id').all(), concepts: db.prepare('SELECT * FROM concepts ORDER BY id').all() };
  } finally {
    db.close();
  }
}

async function refusal(call: Promise<unknown>): Promise<StudioApiError> {
  const error = await call.then(
    () => null,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(StudioApiError);
  return error as StudioApiError;
}

describe('a concept with a teacher that names nothing', () => {
  it('is refused as invalid input naming the teacher, at create and at update, and the database is unchanged', async () => {
    const project = await api.projects.create({ name: 'Teachers' });
    const concept = await api.concepts.create({ projectId: project.id, name: 'Sepia', prompt: 'old photo', teacher: 'sepia-vintage' });
    const before = storedRows();
    expect(before.concepts).toHaveLength(1);

    for (const teacher of ['instruct-pix2pix', 'builtin:posterize', 'SEPIA-VINTAGE', 'diffusion:', 'diffusion:../../etc', 'diffusion:org\\model']) {
      const created = await refusal(api.concepts.create({ projectId: project.id, name: 'Other', teacher }));
      expect(created.data, teacher).toMatchObject({ code: 'invalid_input', method: 'concepts.create' });
      expect(created.message, teacher).toContain(`'${teacher}'`);
      const updated = await refusal(api.concepts.update({ conceptId: concept.id, name: 'Renamed', teacher }));
      expect(updated.data, teacher).toMatchObject({ code: 'invalid_input', method: 'concepts.update' });
      expect(updated.message, teacher).toContain(`'${teacher}'`);
    }
    const unknown = await refusal(api.concepts.create({ projectId: project.id, name: 'Other', teacher: 'instruct-pix2pix' }));
    const builtinIds = (await api.teachers.list()).filter((teacher) => teacher.kind === 'builtin').map((teacher) => teacher.id);
    expect(builtinIds.length).toBeGreaterThan(10);
    expect(unknown.message).toBe(`teacher: 'instruct-pix2pix' is not a built-in teacher (known: ${builtinIds.join(', ')}) nor 'diffusion:<model id>'`);

    expect(storedRows()).toEqual(before);
    expect(await api.concepts.list({ projectId: project.id })).toEqual([concept]);
  });
});
