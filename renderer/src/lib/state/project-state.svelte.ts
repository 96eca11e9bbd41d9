import type { Concept, ImageRecord, Project, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import { errorMessage } from '../errors';
import type { Thumbnail } from '../view-types';
import { ImportState } from './import-state.svelte';
import { ExportsState } from './exports-state.svelte';

/** One open project: its record, concepts and images, refreshed by the back end's change events. */
export class ProjectState {
  project: Project | null = $state.raw(null);
  missing = $state(false);
  concepts: Concept[] = $state.raw([]);
  images: ImageRecord[] = $state.raw([]);
  error: string | null = $state(null);
  /** True once the first full load answered (the guide waits for it before choosing where to open). */
  loaded = $state(false);
  readonly imports: ImportState;
  readonly exports: ExportsState;

  readonly thumbnails: Thumbnail[] = $derived(
    this.images.map((image) => ({
      id: String(image.id),
      url: this.api.blobUrl(image.thumbnailSha256),
      fullUrl: this.api.blobUrl(image.sha256),
      name: image.originalName,
      width: image.width,
      height: image.height,
      bytes: image.bytes,
    })),
  );

  private unsubscribers: Unsubscribe[] = [];
  private readonly loadProject: () => Promise<void>;
  private readonly loadConcepts: () => Promise<void>;
  private readonly loadImages: () => Promise<void>;

  private readonly api: StudioApi;
  readonly projectId: number;

  constructor(api: StudioApi, projectId: number) {
    this.api = api;
    this.projectId = projectId;
    this.imports = new ImportState(api, projectId);
    this.exports = new ExportsState(api, projectId);
    // An import emits a change event per file; never stack up overlapping list requests.
    this.loadProject = coalesce(() => this.fetchProject());
    this.loadConcepts = coalesce(() => this.fetchConcepts());
    this.loadImages = coalesce(() => this.fetchImages());
  }

  start(): () => void {
    const mine = (event: { projectId: number }): boolean => event.projectId === this.projectId;
    this.unsubscribers.push(
      this.api.events.onProjectsChanged((e) => mine(e) && void this.loadProject()),
      this.api.events.onConceptsChanged((e) => mine(e) && void this.loadConcepts()),
      this.api.events.onImagesChanged((e) => mine(e) && void this.loadImages()),
      this.imports.start(),
      this.exports.start(),
    );
    void this.reload();
    return () => this.stop();
  }

  /** Re-reads everything; also used after a reconnect, when change events may have been missed. */
  async reload(): Promise<void> {
    await Promise.all([this.loadProject(), this.loadConcepts(), this.loadImages(), this.imports.reload(), this.exports.reload()]);
    this.loaded = true;
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  /** Returns the new concept (the page makes it the active one), or null when it could not be created. */
  async createConcept(input: { name: string; prompt: string; teacher?: string }): Promise<Concept | null> {
    try {
      const concept = await this.api.concepts.create({
        projectId: this.projectId,
        name: input.name,
        prompt: input.prompt,
        ...(input.teacher ? { teacher: input.teacher } : {}),
      });
      this.concepts = [...this.concepts.filter((c) => c.id !== concept.id), concept];
      return concept;
    } catch (error) {
      this.error = `Could not create the concept: ${errorMessage(error)}`;
      return null;
    }
  }

  async updateConcept(conceptId: number, input: { name?: string; prompt?: string; teacher?: string }): Promise<void> {
    try {
      const updated = await this.api.concepts.update({ conceptId, ...input });
      this.concepts = this.concepts.map((c) => (c.id === conceptId ? updated : c));
    } catch (error) {
      this.error = `Could not save the concept: ${errorMessage(error)}`;
    }
  }

  private async fetchProject(): Promise<void> {
    try {
      this.project = await this.api.projects.get({ projectId: this.projectId });
      this.missing = false;
    } catch (error) {
      if (isNotFound(error)) this.missing = true;
      else this.error = `Could not load the project: ${errorMessage(error)}`;
    }
  }

  private async fetchConcepts(): Promise<void> {
    await this.load('concepts', async () => {
      this.concepts = await this.api.concepts.list({ projectId: this.projectId });
    });
  }

  private async fetchImages(): Promise<void> {
    await this.load('photos', async () => {
      this.images = await this.api.images.list({ projectId: this.projectId });
    });
  }

  private async load(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (isNotFound(error)) this.missing = true;
      else this.error = `Could not load ${what}: ${errorMessage(error)}`;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'not_found';
}
