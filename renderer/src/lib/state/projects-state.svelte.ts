import type { Project, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import { WithStatusLine } from './resource.svelte';

/** The project list screen: all projects, kept fresh by onProjectsChanged. */
export class ProjectsState extends WithStatusLine {
  private readonly projects = this.status.resource<Project[]>([], 'Could not load projects');

  private unsubscribe: Unsubscribe | null = null;
  private readonly api: StudioApi;
  /** Re-reads the list; bursts of change events collapse into one request plus one follow-up. */
  readonly reload: () => Promise<void>;

  get list(): Project[] {
    return this.projects.value;
  }
  get loading(): boolean {
    return this.projects.loading;
  }

  constructor(api: StudioApi) {
    super();
    this.api = api;
    this.reload = coalesce(() => this.projects.load(() => this.api.projects.list()));
  }

  start(): () => void {
    this.unsubscribe = this.api.events.onProjectsChanged(() => void this.reload());
    void this.reload();
    return () => this.stop();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  async create(name: string): Promise<Project | null> {
    const project = await this.status.act(() => this.api.projects.create({ name }), 'Could not create the project');
    // Newest first, the order projects.list uses, so the next reload does not reshuffle the list.
    if (project) this.projects.set([project, ...this.list.filter((p) => p.id !== project.id)]);
    return project;
  }

  async rename(projectId: number, name: string): Promise<void> {
    const renamed = await this.status.act(() => this.api.projects.rename({ projectId, name }), 'Could not rename the project');
    if (renamed) this.projects.set(this.list.map((p) => (p.id === projectId ? renamed : p)));
  }

  async remove(projectId: number): Promise<void> {
    const removed = await this.status.act(() => this.api.projects.delete({ projectId }).then(() => true), 'Could not delete the project');
    if (removed) this.projects.set(this.list.filter((p) => p.id !== projectId));
  }
}
