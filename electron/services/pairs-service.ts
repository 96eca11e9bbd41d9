import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import type { ImportPairsResult, PairItemCancelled, PairRecord, PairStatus, PairTeacher } from '../domain/pair-types';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ImportFile, Job, ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import { importPairedFiles } from './import-pairs';
import type { JobsService } from './jobs-service';
import { requireConcept, requirePair } from './records';
import { conceptTeacher, diffusionModelDir } from './teachers-service';

export interface PairsService {
  /**
   * Queues pair generation with the concept's teacher for the given photos of its project. Photos that already
   * have a pair from the same teacher settings are skipped (their curation stays); use regenerate to remake one.
   */
  generate(input: { conceptId: number; imageIds: number[]; seed?: number; diffusion?: DiffusionOverrides }): Job<'generate-pairs'>;
  list(input: { conceptId: number }): PairRecord[];
  get(input: { pairId: number }): PairRecord;
  setStatus(input: { pairId: number; status: 'pending' | 'accepted' | 'rejected' }): PairRecord;
  /** Sets every pair of a concept now in one of `from` (default: pending) to `status`; returns the pairs changed. */
  setStatusAll(input: { conceptId: number; status: 'accepted' | 'rejected' | 'pending'; from?: PairStatus[] }): PairRecord[];
  regenerate(input: { pairId: number; seed?: number; guidance?: number }): Job<'generate-pairs'>;
  /**
   * Cancels one photo of a queued or running generate-pairs job; the job skips it when it gets there and goes
   * on with the others (result.cancelled lists it). Refused once the job stopped or the photo's pair is made.
   */
  cancelItem(input: { jobId: number; imageId: number }): PairItemCancelled;
  importPaired(input: { conceptId: number; sources: ImportFile[] }): Promise<ImportPairsResult>;
}

export interface DiffusionOverrides {
  guidance?: number;
  imageGuidance?: number;
  steps?: number;
  size?: number;
  negativePrompt?: string;
}

export interface PairsServiceDeps {
  store: Store;
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
  /** Where installed diffusion models live (a diffusion teacher's model). */
  modelsDir: string;
}

export function createPairsService({ store, jobs, events, modelsDir }: PairsServiceDeps): PairsService {
  const { pairs } = store;
  // Pairs stream in while a generation runs, and its end settles the rest (failed, cancelled photos).
  events.on('jobChanged', ({ job }) => {
    if (job.kind === 'generate-pairs' && job.state !== 'queued' && job.state !== 'running' && job.projectId !== null) {
      events.emit('pairsChanged', { projectId: job.projectId, conceptId: job.payload.conceptId });
    }
  });
  events.on('jobProgress', ({ jobId, projectId }) => {
    const job = store.jobs.get(jobId);
    if (job?.kind === 'generate-pairs' && projectId !== null) events.emit('pairsChanged', { projectId, conceptId: job.payload.conceptId });
  });

  return {
    generate({ conceptId, imageIds, seed, diffusion }) {
      const concept = requireConcept(store, conceptId);
      const chosen = conceptTeacher(store, modelsDir, conceptId);
      // An empty negative prompt is the same as none: not stored, so "same teacher settings" still matches.
      const { negativePrompt, ...knobs } = diffusion ?? {};
      const teacher: PairTeacher = chosen.kind === 'diffusion' ? { ...chosen, ...knobs, ...(negativePrompt ? { negativePrompt } : {}) } : chosen;
      const unique = [...new Set(imageIds)];
      if (unique.length === 0) throw new InvalidInputError('imageIds: expected at least one image id');
      for (const imageId of unique) {
        const image = store.images.get(imageId);
        if (!image || image.projectId !== concept.projectId) throw new NotFoundError(`image in project ${concept.projectId}:`, imageId);
      }
      return jobs.enqueue('generate-pairs', concept.projectId, {
        projectId: concept.projectId,
        conceptId,
        imageIds: unique,
        seed: seed ?? 0,
        teacher,
        prompt: concept.prompt,
        ...(teacher.kind === 'diffusion' ? { modelDir: diffusionModelDir(modelsDir, teacher.modelId) } : {}),
      });
    },
    list({ conceptId }) {
      requireConcept(store, conceptId);
      return pairs.listByConcept(conceptId);
    },
    get: ({ pairId }) => requirePair(store, pairId),
    setStatus({ pairId, status }) {
      const pair = requirePair(store, pairId);
      // The guard's reason stays visible when the user overrides it, until the pair is regenerated.
      pairs.setStatus(pairId, status, status === 'rejected' ? 'rejected by you' : pair.status === 'guard-rejected' ? pair.reason : null);
      events.emit('pairsChanged', { projectId: pair.projectId, conceptId: pair.conceptId });
      return requirePair(store, pairId);
    },
    setStatusAll({ conceptId, status, from = ['pending'] }) {
      const concept = requireConcept(store, conceptId);
      const changed = pairs.listByConcept(conceptId).filter((pair) => from.includes(pair.status) && pair.status !== status);
      store.db.transaction(() => {
        for (const pair of changed) {
          pairs.setStatus(pair.id, status, status === 'rejected' ? 'rejected by you' : pair.status === 'guard-rejected' ? pair.reason : null);
        }
      })();
      if (changed.length > 0) events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
      return changed.map((pair) => requirePair(store, pair.id));
    },
    cancelItem({ jobId, imageId }) {
      const job = store.jobs.get(jobId);
      if (!job) throw new NotFoundError('job', jobId);
      if (job.kind !== 'generate-pairs') throw new InvalidInputError(`job ${jobId} is a '${job.kind}' job; only pair generation cancels photos one by one`);
      if (job.state !== 'queued' && job.state !== 'running') {
        throw new ConflictError(`job ${jobId} is ${job.state}; a photo can only be cancelled while its pair generation is queued or running`);
      }
      const { payload } = job as Job<'generate-pairs'>;
      if (!payload.imageIds.includes(imageId)) throw new InvalidInputError(`image ${imageId} is not one of the photos of job ${jobId}`);
      const made = pairs.findByImage(payload.conceptId, imageId);
      if (made && made.updatedAt >= job.createdAt && made.seed === payload.seed + payload.imageIds.indexOf(imageId)) {
        throw new ConflictError(`image ${imageId} already has its pair (${made.id}) from job ${jobId}; reject the pair instead`);
      }
      const skippedImageIds = store.jobs.addSkippedPairItem(jobId, imageId);
      const cancelled: PairItemCancelled = { projectId: payload.projectId, conceptId: payload.conceptId, jobId, imageId, skippedImageIds };
      events.emit('pairItemCancelled', cancelled);
      return cancelled;
    },
    regenerate({ pairId, seed, guidance }) {
      const pair = requirePair(store, pairId);
      if (pair.imageId === null) throw new InvalidInputError(`pair ${pairId} was imported; only generated pairs can be regenerated`);
      if (guidance !== undefined && pair.teacher.kind === 'builtin') {
        throw new InvalidInputError(`pair ${pairId}: guidance applies to diffusion teachers; '${pair.teacher.id}' is a built-in effect`);
      }
      // Same teacher as the pair had (a diffusion pair keeps its model and settings), one knob changed.
      const teacher: PairTeacher =
        pair.teacher.kind === 'diffusion' ? { ...pair.teacher, guidance: guidance ?? pair.teacher.guidance } : conceptTeacher(store, modelsDir, pair.conceptId);
      return jobs.enqueue('generate-pairs', pair.projectId, {
        projectId: pair.projectId,
        conceptId: pair.conceptId,
        imageIds: [pair.imageId],
        seed: seed ?? pair.seed + 1,
        teacher,
        prompt: requireConcept(store, pair.conceptId).prompt,
        replace: true,
        ...(teacher.kind === 'diffusion' ? { modelDir: diffusionModelDir(modelsDir, teacher.modelId) } : {}),
      });
    },
    async importPaired({ conceptId, sources }) {
      const concept = requireConcept(store, conceptId);
      const result = await importPairedFiles(store, pairs, { projectId: concept.projectId, conceptId }, sources);
      events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
      return result;
    },
  };
}
