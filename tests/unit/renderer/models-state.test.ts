/**
 * The model manager's state class and ConceptWorkspaceState's teacher list against the real browser-mode back end (server,
 * services, models folder, download job) over the typed WebSocket client, with a local Hub on 127.0.0.1.
 */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useStudioServer } from '../../support/api-server';
import { createServices } from '../../../electron/services/index';
import { writeTinyPipeline } from '../../../native-models/diffusion/fixtures/tiny-pipeline';
import { ConceptWorkspaceState } from '../../../renderer/src/lib/state/concept-workspace-state.svelte';
import { ModelsState } from '../../../renderer/src/lib/state/models-state.svelte';
import { FakeHub, writeFakeExport } from '../diffusion/fake-hub';

const REPO = 'acme/tiny-ip2p';
const studio = useStudioServer('e2gan-models-ui-', async (root) => {
  const hub = new FakeHub(REPO, await writeFakeExport(path.join(root, 'hub-export')));
  await hub.start();
  const services = createServices({ dataDir: path.join(root, 'data'), hubUrl: hub.url, hfCacheDir: path.join(root, 'hf-cache') });
  return {
    options: { services, allowedPathRoots: [root] },
    teardown: async () => {
      await services.close();
      hub.server.closeAllConnections();
      await new Promise((resolve) => hub.server.close(resolve));
    },
  };
});

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

describe('ModelsState', () => {
  it('imports a folder, downloads a Hub repo with progress, verifies and removes; the teacher list follows', async () => {
    const project = studio.server.services.projects.create({ name: 'Models' });
    const concept = studio.server.services.concepts.create({ projectId: project.id, name: 'Snow', prompt: 'make it snowy' });
    const workspace = new ConceptWorkspaceState(studio.api, project.id, concept.id);
    const models = new ModelsState(studio.api);
    const stopFlow = workspace.start();
    const stopModels = models.start();
    try {
      await waitFor(() => expect(workspace.teachers.length).toBeGreaterThan(0));
      expect(workspace.teachers.some((teacher) => teacher.kind === 'diffusion')).toBe(false);

      await models.importFolder('');
      expect(models.error).toMatch(/folder of a diffusers ONNX export/);
      await models.importFolder(path.join(studio.root, 'nowhere'));
      expect(models.error).toMatch(/nowhere does not exist/);

      const source = path.join(studio.root, 'tiny');
      await writeTinyPipeline(source, { kind: 'instruct-pix2pix' });
      await models.importFolder(source);
      expect(models.error).toBeNull();
      expect(models.notice).toBe('Installed tiny');
      expect(models.models).toEqual([expect.objectContaining({ name: 'tiny', kind: 'instruct-pix2pix', problem: null })]);
      await waitFor(() => expect(workspace.teachers.map((teacher) => teacher.id)).toContain('diffusion:tiny'));

      // Browser mode: a typed path, no folder picker, and no token stored (nothing can encrypt it here).
      expect(models.canPickFolder).toBe(false);
      await waitFor(() => expect(models.tokenStatus).toMatchObject({ stored: false, canStore: false }));
      expect(await models.saveToken('hf_abcdefghijkl')).toBe(false);
      expect(models.error).toMatch(/not stored/);

      // The sizes come first; the download starts only when confirmed.
      await models.checkDownload('');
      expect(models.error).toMatch(/repo id/);
      await models.checkDownload(REPO);
      expect(models.error).toBeNull();
      expect(models.plan).toMatchObject({ repoId: REPO, name: 'acme--tiny-ip2p', cachedBytes: 0 });
      expect(models.plan!.downloadBytes).toBe(models.plan!.totalBytes);
      expect(models.plan!.totalBytes).toBeGreaterThan(350_000);
      expect(models.download).toBeNull();
      await models.confirmDownload();
      expect(models.plan).toBeNull();
      expect(models.error).toBeNull();
      expect(models.download?.repoId).toBe(REPO);
      await waitFor(() => expect(models.download).toBeNull());
      expect(models.notice).toBe(`Downloaded ${REPO}`);
      await waitFor(() => expect(models.models.map((model) => model.name)).toEqual(['acme--tiny-ip2p', 'tiny']));
      await waitFor(() => expect(workspace.teachers.map((teacher) => teacher.id)).toContain('diffusion:acme--tiny-ip2p'));

      await models.verify('acme--tiny-ip2p');
      expect(models.verified['acme--tiny-ip2p']).toEqual([]);
      await models.remove('tiny');
      expect(models.notice).toBe('Removed tiny');
      expect(models.models.map((model) => model.name)).toEqual(['acme--tiny-ip2p']);
      await waitFor(() => expect(workspace.teachers.map((teacher) => teacher.id)).not.toContain('diffusion:tiny'));
    } finally {
      stopModels();
      stopFlow();
    }
  }, 60_000);
});
