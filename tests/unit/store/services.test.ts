import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, createServices, InvalidInputError, NotFoundError, type ServiceEvents, type Services } from '../../../electron/services/index';
import { makeTempDir } from './helpers';

let temp: ReturnType<typeof makeTempDir>;
let services: Services;
let seen: { name: keyof ServiceEvents; event: unknown }[];
beforeEach(() => {
  temp = makeTempDir('e2gan-services-');
  services = createServices({ dataDir: path.join(temp.dir, 'data') });
  seen = [];
  for (const name of ['projectsChanged', 'conceptsChanged', 'imagesChanged'] as const) {
    services.events.on(name, (event) => seen.push({ name, event }));
  }
});
afterEach(async () => {
  await services.close();
  temp.cleanup();
});

describe('createServices', () => {
  it('creates the data folder layout and resolves dataDir to an absolute path', () => {
    expect(path.isAbsolute(services.dataDir)).toBe(true);
    expect(services.layout.database).toBe(path.join(services.dataDir, 'studio.sqlite'));
  });

  it('close() is idempotent', async () => {
    await services.close();
    await services.close();
  });
});

describe('projects service', () => {
  it('creates (trimmed), renames, lists and deletes, emitting projectsChanged', () => {
    const project = services.projects.create({ name: '  My effect  ' });
    expect(project.name).toBe('My effect');
    expect(services.projects.rename({ projectId: project.id, name: 'Renamed' }).name).toBe('Renamed');
    expect(services.projects.list().map((p) => p.id)).toEqual([project.id]);
    services.projects.delete({ projectId: project.id });
    expect(services.projects.list()).toEqual([]);
    expect(seen).toEqual([
      { name: 'projectsChanged', event: { projectId: project.id } },
      { name: 'projectsChanged', event: { projectId: project.id } },
      { name: 'projectsChanged', event: { projectId: project.id } },
    ]);
  });

  it('rejects bad names and unknown ids with typed errors', () => {
    expect(() => services.projects.create({ name: '   ' })).toThrow(InvalidInputError);
    expect(() => services.projects.create({ name: '   ' })).toThrow('project name: must not be empty');
    expect(() => services.projects.create({ name: 'x'.repeat(201) })).toThrow('project name: at most 200 characters, got 201');
    expect(() => services.projects.create({ name: 42 as unknown as string })).toThrow('project name: expected a string, got number');
    expect(() => services.projects.get({ projectId: 5 })).toThrow(NotFoundError);
    expect(() => services.projects.rename({ projectId: 5, name: 'x' })).toThrow('project 5 does not exist');
    try {
      services.projects.delete({ projectId: 5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'not-found' });
    }
    expect(seen).toEqual([]);
  });
});

describe('concepts service', () => {
  it('creates, updates and deletes concepts, keeping names unique per project', () => {
    const project = services.projects.create({ name: 'P' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Watercolor', prompt: ' turn it into a watercolor ' });
    expect(concept).toMatchObject({ projectId: project.id, name: 'Watercolor', prompt: 'turn it into a watercolor', teacher: '' });
    expect(() => services.concepts.create({ projectId: project.id, name: 'Watercolor' })).toThrow(ConflictError);
    const other = services.concepts.create({ projectId: project.id, name: 'Ink' });
    expect(() => services.concepts.update({ conceptId: other.id, name: 'Watercolor' })).toThrow(/already has a concept named 'Watercolor'/);
    expect(services.concepts.update({ conceptId: concept.id, teacher: 'diffusion:instruct-pix2pix' })).toMatchObject({
      name: 'Watercolor',
      prompt: 'turn it into a watercolor',
      teacher: 'diffusion:instruct-pix2pix',
    });
    expect(services.projects.get({ projectId: project.id }).conceptCount).toBe(2);
    services.concepts.delete({ conceptId: other.id });
    expect(services.concepts.list({ projectId: project.id }).map((c) => c.name)).toEqual(['Watercolor']);
    expect(() => services.concepts.delete({ conceptId: other.id })).toThrow(`concept ${other.id} does not exist`);
    expect(() => services.concepts.list({ projectId: 999 })).toThrow('project 999 does not exist');
    expect(seen.filter((e) => e.name === 'conceptsChanged')).toHaveLength(4);
  });

  it('refuses, at create and update, a teacher that names nothing, listing the built-in ids; stores nothing', () => {
    const project = services.projects.create({ name: 'P' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Ink', teacher: ' ink-wash ' });
    expect(concept.teacher).toBe('ink-wash');
    seen = [];
    const refusals: [teacher: string, message: RegExp][] = [
      [
        'instruct-pix2pix',
        /^teacher: 'instruct-pix2pix' is not a built-in teacher \(known: pencil-sketch, .*ink-wash.*sepia-vintage.*\) nor 'diffusion:<model id>'$/,
      ],
      ['Sepia-Vintage', /'Sepia-Vintage' is not a built-in teacher/],
      ['builtin:posterize', /'builtin:posterize' is not a built-in teacher/],
      ['diffusion:', /'diffusion:' names no diffusion model; expected 'diffusion:<model id>'/],
      ['diffusion:org/model', /'diffusion:org\/model' names no diffusion model/],
      ['diffusion:..\\models', /names no diffusion model/],
      ['diffusion:..', /names no diffusion model/],
    ];
    for (const [teacher, message] of refusals) {
      expect(() => services.concepts.create({ projectId: project.id, name: 'Other', teacher }), teacher).toThrow(InvalidInputError);
      expect(() => services.concepts.create({ projectId: project.id, name: 'Other', teacher }), teacher).toThrow(message);
      expect(() => services.concepts.update({ conceptId: concept.id, name: 'Renamed', teacher }), teacher).toThrow(message);
    }
    expect(services.concepts.list({ projectId: project.id })).toEqual([concept]);
    expect(seen).toEqual([]);
    // No teacher yet, and a diffusion model not installed yet (it may be downloaded later), are both fine.
    expect(services.concepts.update({ conceptId: concept.id, teacher: '' }).teacher).toBe('');
    expect(services.concepts.update({ conceptId: concept.id, teacher: 'diffusion:timbrooks--instruct-pix2pix' }).teacher).toBe(
      'diffusion:timbrooks--instruct-pix2pix',
    );
  });
});

describe('images service', () => {
  it('reports unknown images and rejects non-sha blob addresses', async () => {
    expect(() => services.images.get({ imageId: 1 })).toThrow('image 1 does not exist');
    await expect(services.images.readThumbnail({ imageId: 1 })).rejects.toThrow(NotFoundError);
    expect(() => services.images.blobPath('../secrets')).toThrow(/not a sha256/);
  });
});
