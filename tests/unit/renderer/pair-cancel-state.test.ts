/**
 * Per-item cancel of pair generation through the renderer's ConceptWorkspaceState, against the real browser-mode back end
 * (server, services, SQLite, job worker, built-in teacher) over the typed WebSocket client the page uses.
 */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useStudioServer } from '../../support/api-server';
import type { PairRecord } from '../../../electron/domain/pair-types';
import { ConceptWorkspaceState, photoSlots, waitingImageIds, type GenerationView } from '../../../renderer/src/lib/state/concept-workspace-state.svelte';

const SAMPLES = path.resolve('resources/samples');
const PHOTOS = ['astronaut.jpg', 'brick.jpg', 'camera.jpg', 'chelsea.jpg', 'coffee.jpg'];

const studio = useStudioServer('e2gan-pair-cancel-ui-');

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

describe('ConceptWorkspaceState per-item cancel', () => {
  it('cancels one waiting photo of a running generation: the others get pairs, the grid shows it as cancelled', async () => {
    const services = studio.server.services;
    const project = services.projects.create({ name: 'Cancel one photo' });
    const concept = services.concepts.create({ projectId: project.id, name: 'Vintage', prompt: 'old photo', teacher: 'sepia-vintage' });
    const imported = await services.jobs.waitFor(
      services.imports.start({ projectId: project.id, sources: PHOTOS.map((name) => ({ path: path.join(SAMPLES, name) })) }).id,
    );
    expect(imported.state).toBe('done');
    const images = services.images.list({ projectId: project.id });
    const workspace = new ConceptWorkspaceState(studio.api, project.id, concept.id);
    const stop = workspace.start();
    try {
      await workspace.generate(images.map((image) => image.id));
      expect(workspace.error).toBeNull();
      const last = images.at(-1)!;
      await workspace.cancelItem(last.id);
      expect(workspace.error).toBeNull();
      // While running, the cancelled photo is a cancelled slot and never a waiting one.
      if (workspace.generation) {
        const slots = photoSlots(workspace.generation, workspace.lastCancelledImageIds, workspace.pairs, images);
        expect(slots.filter((slot) => slot.cancelled).map((slot) => slot.imageId)).toEqual([last.id]);
        expect(waitingImageIds(workspace.generation, workspace.pairs)).not.toContain(last.id);
      }
      await waitFor(() => expect(workspace.generation).toBeNull());
      expect(workspace.lastCancelledImageIds).toEqual([last.id]);
      await waitFor(() => expect(workspace.pairs).toHaveLength(images.length - 1));
      expect(workspace.pairs.map((pair) => pair.imageId)).not.toContain(last.id);
      expect(photoSlots(null, workspace.lastCancelledImageIds, workspace.pairs, images)).toEqual([
        { imageId: last.id, name: last.originalName, sha256: last.sha256, cancelled: true },
      ]);

      // Once the job is over, cancelling is refused with a message naming why.
      const finished = workspace.generation;
      expect(finished).toBeNull();
      const jobId = services.jobs.list({ projectId: project.id }).find((job) => job.kind === 'generate-pairs')!.id;
      workspace.generation = { jobId, progress: 1, message: null, imageIds: [last.id], createdAt: '', cancelledImageIds: [] };
      await workspace.cancelItem(images[0]!.id);
      expect(workspace.error).toMatch(new RegExp(`job ${jobId} is done`));
    } finally {
      stop();
    }
  }, 60_000);
});

describe('waitingImageIds', () => {
  const generation: GenerationView = {
    jobId: 1,
    progress: 0.2,
    message: null,
    imageIds: [1, 2, 3, 4],
    createdAt: '2026-11-25T10:00:00.000Z',
    cancelledImageIds: [3],
  };
  const pair = (imageId: number, updatedAt: string) => ({ imageId, updatedAt }) as PairRecord;

  it('leaves out cancelled photos and photos with a pair written since the job was queued, not older pairs', () => {
    const pairs = [pair(1, '2026-11-25T10:00:01.000Z'), pair(2, '2026-11-24T09:00:00.000Z')];
    expect(waitingImageIds(generation, pairs)).toEqual([2, 4]);
    expect(waitingImageIds(null, pairs)).toEqual([]);
  });
});
