import type { Concept, ImageRecord, Project, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import type { Thumbnail } from '../view-types';
import { ImportState } from './import-state.svelte';
import { ExportsState } from './exports-state.svelte';
import { failureMessage, WithStatusLine } from './resource.svelte';

/** One open project: its record, concepts and images, refreshed by the back end's change events. */
export class ProjectState extends WithStatusLine {
  /** Set when the back end answers that the project does not exist (deleted elsewhere, or a stale link). */
  missing = $state(false);
  /** True once the first full load answered (the guide waits for it before choosing where to open). */
  loaded = $state(false);
  readonly imports: ImportState;
  readonly exports: ExportsState;

  private readonly record = this.status.resource<Project | null>(null, (error) => this.loadFailure(error, 'the project'));
  private readonly conceptList = this.status.resource<Concept[]>([], (error) => this.loadFailure(error, 'concepts'));
  private readonly imageList = this.status.resource<ImageRecord[]>([], (error) => this.loadFailure(error, 'photos'));

  get project(): Project | null {
    return this.record.value;
  }
  get concepts(): Concept[] {
    return this.conceptList.value;
  }
  get images(): ImageRecord[] {
    return this.imageList.value;
  }

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
    super();
    this.api = api;
    this.projectId = projectId;
    this.imports = new ImportState(api, projectId);
    this.exports = new ExportsState(api, projectId);
    // An import emits a change event per file; never stack up overlapping list requests.
    this.loadProject = coalesce(async () => {
      if (await this.record.load(() => this.api.projects.get({ projectId }))) this.missing = false;
    });
    this.loadConcepts = coalesce(() => this.conceptList.load(() => this.api.concepts.list({ projectId })));
    this.loadImages = coalesce(() => this.imageList.load(() => this.api.images.list({ projectId })));
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
    const concept = await this.status.attempt(
      () =>
        this.api.concepts.create({
          projectId: this.projectId,
          name: input.name,
          prompt: input.prompt,
          ...(input.teacher ? { teacher: input.teacher } : {}),
        }),
      'Could not create the concept',
    );
    if (concept) this.conceptList.set([...this.concepts.filter((c) => c.id !== concept.id), concept]);
    return concept;
  }

  async updateConcept(conceptId: number, input: { name?: string; prompt?: string; teacher?: string }): Promise<void> {
    const updated = await this.status.attempt(() => this.api.concepts.update({ conceptId, ...input }), 'Could not save the concept');
    if (updated) this.conceptList.set(this.concepts.map((c) => (c.id === conceptId ? updated : c)));
  }

  /** A project that does not exist is shown as missing, not as an error. */
  private loadFailure(error: unknown, what: string): string | null {
    if (!isNotFound(error)) return failureMessage(error, `Could not load ${what}`);
    this.missing = true;
    return null;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'not_found';
}
