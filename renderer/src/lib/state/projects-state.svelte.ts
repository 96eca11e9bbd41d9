import type { Project, StudioApi, Unsubscribe } from '../../../../electron/api/contract';
import { coalesce } from '../coalesce';
import { errorMessage } from '../errors';

/** The project list screen: all projects, kept fresh by onProjectsChanged. */
export class ProjectsState {
  list: Project[] = $state.raw([]);
  loading = $state(false);
  error: string | null = $state(null);

  private unsubscribe: Unsubscribe | null = null;
  private readonly api: StudioApi;
  /** Re-reads the list; bursts of change events collapse into one request plus one follow-up. */
  readonly reload: () => Promise<void>;

  constructor(api: StudioApi) {
    this.api = api;
    this.reload = coalesce(() => this.fetchList());
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

  private async fetchList(): Promise<void> {
    this.loading = true;
    try {
      this.list = await this.api.projects.list();
      this.error = null;
    } catch (error) {
      this.error = `Could not load projects: ${errorMessage(error)}`;
    } finally {
      this.loading = false;
    }
  }

  async create(name: string): Promise<Project | null> {
    return this.attempt('create the project', async () => {
      const project = await this.api.projects.create({ name });
      // Newest first, the order projects.list uses, so the next reload does not reshuffle the list.
      this.list = [project, ...this.list.filter((p) => p.id !== project.id)];
      return project;
    });
  }

  async rename(projectId: number, name: string): Promise<void> {
    await this.attempt('rename the project', async () => {
      const renamed = await this.api.projects.rename({ projectId, name });
      this.list = this.list.map((p) => (p.id === projectId ? renamed : p));
    });
  }

  async remove(projectId: number): Promise<void> {
    await this.attempt('delete the project', async () => {
      await this.api.projects.delete({ projectId });
      this.list = this.list.filter((p) => p.id !== projectId);
    });
  }

  private async attempt<T>(what: string, action: () => Promise<T>): Promise<T | null> {
    try {
      const result = await action();
      this.error = null;
      return result;
    } catch (error) {
      this.error = `Could not ${what}: ${errorMessage(error)}`;
      return null;
    }
  }
}
