import type { ConceptTeacher } from './teacher';
import { toneTeachers } from './tone';
import { paintTeachers } from './paint';
import { graphicTeachers } from './graphic';

/** Every built-in concept teacher, in display order. Ids are stable: checkpoints store them as concept tokens. */
const TEACHERS: readonly ConceptTeacher[] = [...paintTeachers, ...graphicTeachers, ...toneTeachers];

const BY_ID = new Map(TEACHERS.map((teacher) => [teacher.id, teacher]));
if (BY_ID.size !== TEACHERS.length) throw new Error('duplicate concept teacher id in the registry');

export function listTeachers(): readonly ConceptTeacher[] {
  return TEACHERS;
}

export function findTeacher(id: string): ConceptTeacher | undefined {
  return BY_ID.get(id);
}

/** Like findTeacher, but an unknown id is an error that lists the known ones. */
export function getTeacher(id: string): ConceptTeacher {
  const teacher = BY_ID.get(id);
  if (!teacher) throw new Error(`unknown concept teacher '${id}' (known: ${TEACHERS.map((t) => t.id).join(', ')})`);
  return teacher;
}
