import { RunDir, type TrainState } from '../../native-models/e2gan/run-dir';
import type { CheckpointStore } from '../../native-models/e2gan/training-loop';
import type { TrainingRunsRepository } from './repositories/training-runs';

/**
 * A studio run's checkpoints as the trainer's CheckpointStore. Each is one safetensors file in the run's folder,
 * written atomically (temp + fsync + rename), so a kill -9 at any moment leaves the previous one whole, and the
 * newest two are kept; once a file is whole its step is recorded on the run (training_checkpoints), which is
 * what the app lists. The files hold no settings: those are the run's row (TrainingRunEngine).
 */
export class TrainingCheckpoints implements CheckpointStore {
  private readonly files: RunDir;

  constructor(
    private readonly runs: TrainingRunsRepository,
    private readonly runId: number,
    runPath: string,
  ) {
    this.files = new RunDir(runPath);
  }

  checkpointPath(step: number): string {
    return this.files.checkpointPath(step);
  }

  async saveCheckpoint(state: TrainState): Promise<string> {
    const path = await this.files.saveCheckpoint(state);
    this.runs.recordCheckpoint(this.runId, state.step);
    return path;
  }

  /** Steps of the checkpoints on disk (the newest two at most), ascending. */
  listCheckpoints(): Promise<number[]> {
    return this.files.listCheckpoints();
  }

  loadCheckpoint(step: number): Promise<TrainState> {
    return this.files.loadCheckpoint(step);
  }

  loadLatestCheckpoint(): Promise<TrainState | undefined> {
    return this.files.loadLatestCheckpoint();
  }
}
