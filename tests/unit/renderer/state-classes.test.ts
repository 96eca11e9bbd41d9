/**
 * The renderer's state classes against the real browser-mode back end (server, services, SQLite, import worker)
 * through the same typed WebSocket client the page uses. Covers what the e2e test cannot reach cheaply:
 * validation errors surfacing as messages, a missing project, and state rebuilt from history as after a reload.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import type { StudioApi } from '../../../electron/api/contract';
import { startApiServer, useStudioServer } from '../../support/api-server';
import { connectWsApi } from '../../support/ws-api';
import { selectionFromDrop } from '../../../renderer/src/lib/dropped-files';
import { JobsState } from '../../../renderer/src/lib/state/jobs-state.svelte';
import { ProjectState } from '../../../renderer/src/lib/state/project-state.svelte';
import { ProjectsState } from '../../../renderer/src/lib/state/projects-state.svelte';

const studio = useStudioServer('e2gan-ui-state-');

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

/** Fails with a named reason instead of hanging until the test timeout. */
function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function photo(name: string, color: { r: number; g: number; b: number }): Promise<File> {
  const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: color } })
    .png()
    .toBuffer();
  return new File([new Uint8Array(bytes)], name, { type: 'image/png' });
}

/** Noise does not compress, so each file takes real decode/encode time: the job is still running mid-test. */
function noisePhotos(count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const pixels = new Uint8Array(256 * 256 * 3).map(() => Math.floor(Math.random() * 256));
      const bytes = await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
        .png()
        .toBuffer();
      return { file: new File([new Uint8Array(bytes)], `noise-${index}.png`), relativePath: `noise-${index}.png` };
    }),
  );
}

describe('ProjectsState', () => {
  it('creates, renames and deletes through the API and follows change events', async () => {
    const projects = new ProjectsState(studio.api);
    const stop = projects.start();
    try {
      await waitFor(() => expect(projects.loading).toBe(false));
      const created = await projects.create('Sketches');
      expect(created?.name).toBe('Sketches');
      expect(projects.list[0]?.id).toBe(created!.id);

      await projects.rename(created!.id, 'Ink sketches');
      expect(projects.list.find((p) => p.id === created!.id)?.name).toBe('Ink sketches');

      // A change made elsewhere (another window, the CLI) arrives as an event.
      const other = studio.server.services.projects.create({ name: 'From the CLI' });
      await waitFor(() => expect(projects.list.map((p) => p.id)).toContain(other.id));

      await projects.remove(created!.id);
      expect(projects.list.map((p) => p.id)).not.toContain(created!.id);
      studio.server.services.projects.delete({ projectId: other.id });
      await waitFor(() => expect(projects.list).toEqual([]));
    } finally {
      stop();
    }
  });

  it('turns a rejected payload into a message naming the problem and changes nothing', async () => {
    const projects = new ProjectsState(studio.api);
    await projects.reload();
    const before = projects.list;
    expect(await projects.create('   ')).toBeNull();
    expect(projects.error).toMatch(/^Could not create the project: .*name.*must not be empty/);
    expect(projects.list).toBe(before);
  });
});

describe('ProjectState and ImportState', () => {
  it('imports files, reports the corrupt one, and a fresh state (a reload) shows the same from history', async () => {
    const project = studio.server.services.projects.create({ name: 'Imports' });
    const page = new ProjectState(studio.api, project.id);
    const stop = page.start();
    try {
      await waitFor(() => expect(page.project?.name).toBe('Imports'));
      await page.createConcept({ name: 'Ink', prompt: 'ink drawing' });
      expect(page.concepts.map((c) => c.name)).toEqual(['Ink']);

      const corrupt = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], 'half.png', { type: 'image/png' });
      await page.imports.importFiles([
        { file: await photo('a.png', { r: 255, g: 0, b: 0 }), relativePath: 'trip/a.png' },
        { file: await photo('b.png', { r: 0, g: 255, b: 0 }), relativePath: 'trip/b.png' },
        { file: corrupt, relativePath: 'trip/half.png' },
      ]);
      await waitFor(() => expect(page.imports.busy).toBe(false));
      await waitFor(() => expect(page.images).toHaveLength(2));
      expect(page.imports.error).toBeNull();
      expect(page.imports.progress).toBeNull();
      expect(page.thumbnails.map((t) => t.name).sort()).toEqual(['trip/a.png', 'trip/b.png']);
      expect(page.thumbnails[0]!.url).toContain(`/blob/${page.images[0]!.thumbnailSha256}`);
      expect(page.imports.skipped).toHaveLength(1);
      expect(page.imports.skipped[0]!.name).toBe('trip/half.png');
      expect(page.imports.skipped[0]!.reason.length).toBeGreaterThan(3);
    } finally {
      stop();
    }

    const reloaded = new ProjectState(studio.api, project.id);
    const stopReloaded = reloaded.start();
    try {
      await waitFor(() => expect(reloaded.images).toHaveLength(2));
      await waitFor(() => expect(reloaded.imports.skipped.map((s) => s.name)).toEqual(['trip/half.png']));
      expect(reloaded.concepts.map((c) => c.prompt)).toEqual(['ink drawing']);
      expect(reloaded.imports.busy).toBe(false);
    } finally {
      stopReloaded();
    }
  });

  it('cancels a running import: the bar clears and only the files done so far are kept', async () => {
    const project = studio.server.services.projects.create({ name: 'Cancelled import' });
    const page = new ProjectState(studio.api, project.id);
    const jobs = new JobsState(studio.api);
    const stopJobs = jobs.start();
    const stop = page.start();
    try {
      const running = new Promise<void>((resolve) =>
        studio.api.events.onJobProgress((event) => event.projectId === project.id && event.progress > 0 && resolve()),
      );
      await page.imports.importFiles(await noisePhotos(40));
      await within(running, 'the import to report progress');
      expect(page.imports.busy).toBe(true);
      // The status bar's summary of background work names the running import's step.
      await waitFor(() => expect(jobs.summary).toMatch(/^1 background job · \d+ of 40: noise-\d+\.png$/));
      await page.imports.cancel();
      await waitFor(() => expect(page.imports.busy).toBe(false));
      await waitFor(() => expect(jobs.summary).toBe(''));
      expect(page.imports.progress).toBeNull();
      expect(page.imports.error).toBeNull();
      const [job] = await studio.api.jobs.list({ projectId: project.id });
      expect(job?.state).toBe('cancelled');
      if (job?.kind !== 'import-images' || !job.result) throw new Error(`expected a cancelled import with a partial result, got ${JSON.stringify(job)}`);
      const imported = job.result.imported.length;
      await waitFor(() => expect(page.images.length).toBe(imported));
      expect(page.images.length).toBeLessThan(40);
    } finally {
      stop();
      stopJobs();
    }
  });

  it('in Electron imports dropped folders by path (the back end walks them) instead of walking them itself', async () => {
    // On disk, as a user's folder would be; Electron's stageFiles resolves a dropped File to its real path.
    // (Under the staging folder only because this back end is browser mode, which imports nothing else.)
    const disk = path.join(studio.server.services.layout.staging, 'electron-disk');
    await mkdir(path.join(disk, 'album', 'inner'), { recursive: true });
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toFile(path.join(disk, 'album', 'one.png'));
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 99, g: 9, b: 9 } } })
      .png()
      .toFile(path.join(disk, 'album', 'inner', 'two.png'));
    const staged: string[][] = [];
    const electronLike: StudioApi = {
      ...studio.api,
      mode: 'electron',
      stageFiles: async (files) => {
        staged.push(files.map((f) => f.relativePath ?? f.file.name));
        return files.map((f) => ({ path: path.join(disk, f.relativePath ?? f.file.name), name: f.relativePath ?? f.file.name }));
      },
    };
    const project = studio.server.services.projects.create({ name: 'Electron drop' });
    const page = new ProjectState(electronLike, project.id);
    const stop = page.start();
    try {
      const folderEntry = {
        isFile: false,
        isDirectory: true,
        name: 'album',
        createReader: () => {
          throw new Error('must not walk in Electron');
        },
      };
      const selection = selectionFromDrop([{ entry: folderEntry, file: new File([], 'album') }]);
      await page.imports.importSelection(selection);
      expect(page.imports.error).toBeNull();
      expect(staged).toEqual([['album']]);
      await waitFor(() => expect(page.imports.busy).toBe(false));
      await waitFor(() => expect(page.images).toHaveLength(2));
    } finally {
      stop();
    }
  });

  it('marks a project that does not exist as missing instead of showing an error', async () => {
    const page = new ProjectState(studio.api, 987_654);
    const stop = page.start();
    try {
      await waitFor(() => expect(page.missing).toBe(true));
      expect(page.error).toBeNull();
    } finally {
      stop();
    }
  });
});

describe('an import interrupted by a shutdown', () => {
  it('is offered for resume on the next start and resuming finishes it', async () => {
    const dataDir = path.join(studio.root, 'interrupted-data');
    const first = await startApiServer(studio.root, { dataDir });
    const firstApi = connectWsApi(first);
    const project = first.services.projects.create({ name: 'Big import' });
    const files = await noisePhotos(40);
    const firstPage = new ProjectState(firstApi, project.id);
    const stopFirst = firstPage.start();
    const running = new Promise<void>((resolve) => firstApi.events.onJobProgress((event) => event.progress > 0 && event.progress < 0.5 && resolve()));
    await firstPage.imports.importFiles(files);
    await within(running, 'the import to report progress');
    stopFirst();
    firstApi.dispose();
    await first.close();

    const second = await startApiServer(studio.root, { dataDir });
    const secondApi = connectWsApi(second);
    const page = new ProjectState(secondApi, project.id);
    const stop = page.start();
    try {
      await waitFor(() => expect(page.imports.interrupted?.state).toBe('interrupted'));
      const importedBefore = page.images.length;
      expect(importedBefore).toBeLessThan(40);
      await page.imports.resumeInterrupted();
      expect(page.imports.interrupted).toBeNull();
      await waitFor(() => expect(page.imports.busy).toBe(false));
      await waitFor(() => expect(page.images).toHaveLength(40));
      expect(page.imports.error).toBeNull();
    } finally {
      stop();
      secondApi.dispose();
      await second.close();
    }
  });
});
