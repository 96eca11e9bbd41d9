import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import type { JobsService } from './jobs-service';
import { createLiveModelService, type LiveModelService } from './live-model-service';
import { createPairsService, type PairsService } from './pairs-service';
import { createSubsetService, type SubsetService } from './subset-service';
import { createTeachersService, type TeachersService } from './teachers-service';
import { createTrainingService, type TrainingService } from './training-service';

/** The path from photos to a trained effect: teachers, pairs, subset selection, training runs, the live model. */
export interface FlowService {
  teachers: TeachersService;
  pairs: PairsService;
  subset: SubsetService;
  training: TrainingService;
  liveModel: LiveModelService;
}

export interface FlowServiceDeps {
  store: Store;
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
  /** Where installed diffusion models live (listed as teachers). */
  modelsDir: string;
}

export function createFlowService({ store, jobs, events, modelsDir }: FlowServiceDeps): FlowService {
  return {
    teachers: createTeachersService({ store, modelsDir }),
    pairs: createPairsService({ store, jobs, events, modelsDir }),
    subset: createSubsetService({ store, events }),
    training: createTrainingService({ store, jobs, events }),
    liveModel: createLiveModelService({ store }),
  };
}
