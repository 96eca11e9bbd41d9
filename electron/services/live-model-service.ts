import { PHONE_INPUT, PHONE_OUTPUT } from '../../native-models/export/phone-graph';
import { ConflictError } from '../domain/errors';
import type { LiveModel } from '../domain/training-types';
import { buildLiveModel } from '../jobs/live-model';
import { engineOfRun, runSettingsOf } from '../jobs/run-engine';
import type { Store } from '../store/store';
import { requireRun } from './records';

export interface LiveModelService {
  get(input: { runId: number }): Promise<LiveModel>;
}

export function createLiveModelService({ store }: { store: Store }): LiveModelService {
  const runs = store.trainingRuns;
  /** The newest live model handed out per run: rebuilding the graph is skipped while no new checkpoint landed. */
  const liveModels = new Map<number, LiveModel>();
  return {
    async get({ runId }) {
      const run = requireRun(store, runId);
      const checkpoint = runs.latestCheckpoint(runId);
      if (!checkpoint) throw new ConflictError(`training run ${runId} has no checkpoint yet; the live model appears after the first one`);
      const io = { width: run.settings.size, height: run.settings.size, inputName: PHONE_INPUT, outputName: PHONE_OUTPUT };
      // Normally the training job built it at the checkpoint; older runs (or a failed build) are built here once.
      if (checkpoint.liveModelSha256) return { runId, step: checkpoint.step, sha256: checkpoint.liveModelSha256, ...io };
      const cached = liveModels.get(runId);
      if (cached && cached.step === checkpoint.step) return cached;
      const engine = await engineOfRun(store, run);
      if (!engine) throw new ConflictError(`training run ${runId} has not started training yet`);
      const built = await buildLiveModel({ checkpoints: store.checkpointsOf(run), settings: runSettingsOf(run, engine) }, checkpoint.step);
      const sha256 = await store.blobs.put(built.bytes);
      runs.setLiveModel(runId, built.step, sha256);
      const model: LiveModel = {
        runId,
        step: built.step,
        sha256,
        width: built.width,
        height: built.height,
        inputName: built.inputName,
        outputName: built.outputName,
      };
      liveModels.set(runId, model);
      return model;
    },
  };
}
