import { ConflictError, NotFoundError } from '../domain/errors';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import { cleanName, cleanText } from './clean-input';
import { requireProject } from './records';
import type { ConceptsService } from './services';
import { checkTeacherChoice } from './teachers-service';

export function createConceptsService({ store, events }: { store: Store; events: TypedEmitter<ServiceEvents> }): ConceptsService {
  return {
    list({ projectId }) {
      requireProject(store, projectId);
      return store.concepts.listByProject(projectId);
    },
    create({ projectId, ...input }) {
      requireProject(store, projectId);
      const name = cleanName(input.name, 'concept name');
      if (store.concepts.findByName(projectId, name)) {
        throw new ConflictError(`project ${projectId} already has a concept named '${name}'`);
      }
      const concept = store.concepts.create(projectId, {
        name,
        prompt: cleanText(input.prompt, 'prompt'),
        teacher: checkedTeacher(input.teacher),
      });
      store.projects.touch(projectId);
      events.emit('conceptsChanged', { projectId });
      events.emit('projectsChanged', { projectId });
      return concept;
    },
    update({ conceptId: id, ...input }) {
      const current = store.concepts.get(id);
      if (!current) throw new NotFoundError('concept', id);
      const name = input.name === undefined ? current.name : cleanName(input.name, 'concept name');
      const clash = store.concepts.findByName(current.projectId, name);
      if (clash && clash.id !== id) {
        throw new ConflictError(`project ${current.projectId} already has a concept named '${name}'`);
      }
      store.concepts.update(id, {
        name,
        prompt: input.prompt === undefined ? current.prompt : cleanText(input.prompt, 'prompt'),
        teacher: input.teacher === undefined ? current.teacher : checkedTeacher(input.teacher),
      });
      events.emit('conceptsChanged', { projectId: current.projectId });
      return store.concepts.get(id)!;
    },
    delete({ conceptId: id }) {
      const current = store.concepts.get(id);
      if (!current) throw new NotFoundError('concept', id);
      store.concepts.delete(id);
      events.emit('conceptsChanged', { projectId: current.projectId });
      events.emit('projectsChanged', { projectId: current.projectId });
    },
  };
}

/** concept.teacher as stored: trimmed, and refused unless it can name a teacher. */
function checkedTeacher(value: unknown): string {
  const teacher = cleanText(value, 'teacher');
  checkTeacherChoice(teacher);
  return teacher;
}
