import { ConflictError, NotFoundError } from '../domain/errors';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import { cleanName } from './clean-input';
import { requireProject } from './records';
import type { ProjectsService } from './services';

export function createProjectsService({ store, events }: { store: Store; events: TypedEmitter<ServiceEvents> }): ProjectsService {
  return {
    list: () => store.projects.list(),
    get: ({ projectId }) => requireProject(store, projectId),
    create({ name }) {
      const project = store.projects.create(cleanName(name, 'project name'));
      events.emit('projectsChanged', { projectId: project.id });
      return project;
    },
    rename({ projectId: id, name }) {
      if (!store.projects.rename(id, cleanName(name, 'project name'))) throw new NotFoundError('project', id);
      events.emit('projectsChanged', { projectId: id });
      return requireProject(store, id);
    },
    delete({ projectId: id }) {
      requireProject(store, id);
      const busy = store.jobs.list({ projectId: id, states: ['queued', 'running'] });
      if (busy.length > 0) {
        throw new ConflictError(`project ${id} has ${busy.length} queued or running job(s); cancel them first`);
      }
      store.projects.delete(id);
      events.emit('projectsChanged', { projectId: id });
    },
  };
}
