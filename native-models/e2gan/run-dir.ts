import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file';
import { decodeSafetensors, encodeSafetensors, tensorFromArray, toFloat32, type SafeTensor } from '../io/safetensors';

/**
 * A training run's folder:
 *   run.json                          settings the run was started with (resume refuses different ones)
 *   checkpoints/step-00000100.safetensors   full resumable state, one self-contained file per checkpoint
 *   previews/                         preview images written by the trainer
 *
 * A checkpoint is ONE file (tensors + JSON state in the safetensors metadata) written with temp+fsync+rename,
 * so a kill -9 at any moment leaves the previous checkpoint whole and never a state/tensor mismatch.
 */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface LossRecord {
  readonly step: number;
  readonly losses: Readonly<Record<string, number>>;
}

export interface TrainState {
  /** Steps completed. */
  readonly step: number;
  /** Everything numeric: parameters, optimizer moments, EMA copies... keyed by the caller's names. */
  readonly tensors: ReadonlyMap<string, NamedTensor>;
  /** Seeded RNG state(s) so augmentations and sampling continue exactly where they stopped. */
  readonly rngState: Readonly<Record<string, number>>;
  readonly lossHistory: readonly LossRecord[];
  /** Small JSON-serialisable extras (e.g. elapsed seconds). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const STATE_KEY = 'e2gan.train_state';
const CHECKPOINT_FILE = /^step-(\d{8})\.safetensors$/;

export class RunDir {
  constructor(readonly path: string) {}

  get settingsPath(): string {
    return join(this.path, 'run.json');
  }

  get checkpointsPath(): string {
    return join(this.path, 'checkpoints');
  }

  get previewsPath(): string {
    return join(this.path, 'previews');
  }

  checkpointPath(step: number): string {
    return join(this.checkpointsPath, `step-${String(step).padStart(8, '0')}.safetensors`);
  }

  async writeSettings(settings: unknown): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await writeFileAtomic(this.settingsPath, `${JSON.stringify(settings, null, 2)}\n`);
  }

  /** The run's settings, or undefined when the folder has no run.json yet. */
  async readSettings(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.settingsPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`${this.settingsPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.settingsPath}: not valid JSON (${(error as Error).message})`);
    }
  }

  /** Steps of the checkpoints on disk, ascending. */
  async listCheckpoints(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.checkpointsPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => CHECKPOINT_FILE.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Writes a checkpoint atomically, then deletes all but the newest `keep`. Returns the file path. */
  async saveCheckpoint(state: TrainState, keep = 2): Promise<string> {
    const tensors = new Map<string, SafeTensor>();
    for (const [name, tensor] of state.tensors) tensors.set(name, tensorFromArray(tensor.shape, tensor.data));
    const meta = { step: state.step, rngState: state.rngState, lossHistory: state.lossHistory, extra: state.extra ?? {} };
    const path = this.checkpointPath(state.step);
    await writeFileAtomic(path, encodeSafetensors(tensors, { [STATE_KEY]: JSON.stringify(meta) }));
    const steps = await this.listCheckpoints();
    for (const old of steps.slice(0, Math.max(0, steps.length - keep))) {
      await unlink(this.checkpointPath(old)).catch(() => undefined);
    }
    return path;
  }

  async loadCheckpoint(step: number): Promise<TrainState> {
    const path = this.checkpointPath(step);
    const bytes = await readFile(path);
    const contents = decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
    const raw = contents.metadata[STATE_KEY];
    if (raw === undefined) throw new Error(`${path}: not a training checkpoint (no '${STATE_KEY}' metadata)`);
    let meta: { step: number; rngState: Record<string, number>; lossHistory: LossRecord[]; extra: Record<string, unknown> };
    try {
      meta = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${path}: '${STATE_KEY}' metadata is not valid JSON (${(error as Error).message})`);
    }
    if (meta.step !== step) throw new Error(`${path}: file name says step ${step} but its state says step ${meta.step}`);
    const tensors = new Map<string, NamedTensor>();
    for (const [name, tensor] of contents.tensors) tensors.set(name, { shape: tensor.shape, data: toFloat32(tensor, `${path}: ${name}`) });
    return { step: meta.step, tensors, rngState: meta.rngState, lossHistory: meta.lossHistory, extra: meta.extra };
  }

  /**
   * The newest checkpoint that loads. Atomic writes mean the newest should always be whole; falling back to
   * an older one still covers a disk that lost the last file's data.
   */
  async loadLatestCheckpoint(): Promise<TrainState | undefined> {
    const steps = await this.listCheckpoints();
    const failures: string[] = [];
    for (const step of steps.reverse()) {
      try {
        return await this.loadCheckpoint(step);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length > 0) throw new Error(`no loadable checkpoint in ${this.checkpointsPath}:\n  ${failures.join('\n  ')}`);
    return undefined;
  }
}
