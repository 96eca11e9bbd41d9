import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PRECISIONS } from '../../native-models/export/manifest';
import type { Store } from '../store/store';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import type { ExportRecord, Precision, StartExportInput } from '../domain/export-types';
import type { JobsService } from './jobs-service';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { Job, ServiceEvents } from '../domain/types';

export interface ExportsService {
  /**
   * Queues an export job of a finished training run (studio run or run folder), or with `snapshot` of a studio
   * run's newest checkpoint while it trains; progress arrives as job events.
   */
  start(input: StartExportInput): Job<'export-bundle'>;
  /** Newest first. */
  list(filter: { projectId: number; conceptId?: number }): ExportRecord[];
  get(input: { exportId: number }): ExportRecord;
  /** Removes the record and its folder in the data folder. Refused while the export is being shared. */
  delete(input: { exportId: number }): Promise<void>;
}

export interface ExportsServiceDeps {
  store: Store;
  jobs: JobsService;
  events: TypedEmitter<ServiceEvents>;
  /** The export currently shared to a phone, if any (deleting it is refused). */
  sharedExportId: () => number | null;
}

export function createExportsService({ store, jobs, events, sharedExportId }: ExportsServiceDeps): ExportsService {
  const { exports: repository, trainingRuns } = store;
  // A deleted project takes its export rows along (ON DELETE CASCADE); its bundle folders go here.
  events.on('projectsChanged', ({ projectId }) => {
    if (!store.projects.get(projectId)) void sweepOrphanFolders(store);
  });
  void sweepOrphanFolders(store);
  events.on('jobChanged', ({ job }) => {
    if (job.kind === 'export-bundle' && job.state === 'done' && job.projectId !== null) {
      events.emit('exportsChanged', { projectId: job.projectId });
    }
  });

  const get = (id: number): ExportRecord => {
    const record = repository.get(id);
    if (!record) throw new NotFoundError('export', id);
    return record;
  };

  return {
    start(input) {
      const project = store.projects.get(input.projectId);
      if (!project) throw new NotFoundError('project', input.projectId);
      if ((input.trainingRunId === undefined) === (input.runPath === undefined)) {
        throw new InvalidInputError('give exactly one of trainingRunId (a studio training run) or runPath (an e2gan train run folder)');
      }
      let runPathInput = input.runPath;
      let snapshotStep: number | undefined;
      let conceptId = input.conceptId ?? null;
      if (input.trainingRunId !== undefined) {
        const run = trainingRuns.get(input.trainingRunId);
        if (!run || run.projectId !== project.id) throw new NotFoundError(`training run in project ${project.id}:`, input.trainingRunId);
        if (input.snapshot) {
          const newest = trainingRuns.latestCheckpoint(run.id);
          if (!newest) throw new ConflictError(`training run ${run.id} has no checkpoint yet; a snapshot can be exported after its first one`);
          snapshotStep = newest.step;
        } else if (run.state !== 'done') {
          throw new ConflictError(`training run ${run.id} is ${run.state}; export it once it is done, or export a snapshot of its newest checkpoint`);
        }
        runPathInput = run.runPath;
        conceptId = input.conceptId === undefined ? run.conceptId : conceptId;
      }
      const concept = conceptId === null ? undefined : store.concepts.get(conceptId);
      if (conceptId !== null && (!concept || concept.projectId !== project.id)) {
        throw new NotFoundError(`concept in project ${project.id}:`, conceptId);
      }
      if (input.snapshot && input.trainingRunId === undefined) {
        throw new InvalidInputError('snapshot: only a studio training run (trainingRunId) can be exported as a snapshot of its newest checkpoint');
      }
      // A studio run is read from the store by the job (its row, pairs and folder); a CLI run folder is checked here.
      const runPath = input.trainingRunId !== undefined ? path.resolve(runPathInput!) : checkRunFolder(runPathInput);
      const precisions = checkPrecisions(input.precisions);
      const name = (input.name ?? concept?.name ?? path.basename(runPath)).trim();
      if (name.length === 0) throw new InvalidInputError('name: must not be empty');
      return jobs.enqueue('export-bundle', project.id, {
        projectId: project.id,
        conceptId,
        runPath,
        precisions,
        name,
        prompt: (input.prompt ?? concept?.prompt ?? '').trim(),
        ...(input.size !== undefined ? { size: input.size } : {}),
        ...(input.trainingRunId !== undefined ? { trainingRunId: input.trainingRunId } : {}),
        ...(snapshotStep !== undefined ? { snapshot: { step: snapshotStep } } : {}),
      });
    },
    list(filter) {
      if (!store.projects.get(filter.projectId)) throw new NotFoundError('project', filter.projectId);
      return repository.list(filter);
    },
    get: ({ exportId }) => get(exportId),
    async delete({ exportId: id }) {
      const record = get(id);
      if (sharedExportId() === id) throw new ConflictError(`export ${id} is being shared to a phone; stop sharing first`);
      repository.delete(id);
      // The folder is the job's own (exports/job-<id>/), holding only this bundle and its unpacked files.
      await rm(path.dirname(record.zipPath), { recursive: true, force: true });
      events.emit('exportsChanged', { projectId: record.projectId });
    },
  };
}

const LIVE_JOB_STATES = new Set(['queued', 'running', 'interrupted']);

/**
 * Removes exports/job-<id>/ folders that no export row refers to and no live job may still fill: left by a
 * deleted project, or by an export job that failed or was discarded.
 */
export async function sweepOrphanFolders(store: Store): Promise<string[]> {
  const root = path.join(store.layout.root, 'exports');
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = /^job-(\d+)$/.exec(name);
    if (!match) continue;
    const jobId = Number(match[1]);
    if (!store.db.open || store.exports.findByJob(jobId)) continue;
    const job = store.jobs.get(jobId);
    if (job && LIVE_JOB_STATES.has(job.state)) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function checkRunFolder(runPath: unknown): string {
  if (typeof runPath !== 'string' || runPath.trim().length === 0) throw new InvalidInputError('runPath: expected a non-empty path');
  if (!path.isAbsolute(runPath)) throw new InvalidInputError(`runPath: expected an absolute path, got '${runPath}'`);
  if (!existsSync(path.join(runPath, 'run.json'))) {
    throw new InvalidInputError(`runPath: ${runPath} is not a training run (run.json missing); make one with e2gan train`);
  }
  if (!existsSync(path.join(runPath, 'concept.safetensors')) && !existsSync(path.join(runPath, 'generator.safetensors'))) {
    throw new InvalidInputError(`runPath: ${runPath} has not finished training (no concept.safetensors); resume it with e2gan train --resume`);
  }
  return path.resolve(runPath);
}

function checkPrecisions(values: unknown): Precision[] {
  if (!Array.isArray(values)) throw new InvalidInputError('precisions: expected an array such as ["fp16", "int8"]');
  const out: Precision[] = [];
  for (const value of values) {
    if (!PRECISIONS.includes(value as Precision)) {
      throw new InvalidInputError(`precisions: expected ${PRECISIONS.join(', ')}, got '${String(value)}'`);
    }
    if (!out.includes(value as Precision)) out.push(value as Precision);
  }
  return out;
}
