// Built-in concept teachers: deterministic image operators with stable ids (see registry.ts).
export type { ConceptTeacher } from './teacher';
export { listTeachers, findTeacher, getTeacher } from './registry';
export { teachImageFile, listImageFiles, writePair, stemOf, type TeachOptions } from './teach-files';
