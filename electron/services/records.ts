import { NotFoundError } from '../domain/errors';
import type { PairRecord } from '../domain/pair-types';
import type { TrainingRun } from '../domain/training-types';
import type { Concept, Project } from '../domain/types';
import type { Store } from '../store/store';

/** Lookups by id for the services: the record, or a NotFoundError naming what is missing. */

export function requireProject(store: Store, id: number): Project {
  const project = store.projects.get(id);
  if (!project) throw new NotFoundError('project', id);
  return project;
}

export function requireConcept(store: Store, id: number): Concept {
  const concept = store.concepts.get(id);
  if (!concept) throw new NotFoundError('concept', id);
  return concept;
}

export function requirePair(store: Store, id: number): PairRecord {
  const pair = store.pairs.get(id);
  if (!pair) throw new NotFoundError('pair', id);
  return pair;
}

export function requireRun(store: Store, id: number): TrainingRun {
  const run = store.trainingRuns.get(id);
  if (!run) throw new NotFoundError('training run', id);
  return run;
}
