import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RunDir } from '../../native-models/e2gan/run-dir';
import type { FineTuneSettings, TrainSettings } from '../../native-models/e2gan/trainer';
import type { TrainingRun } from '../domain/training-types';
import type { TrainingRunEngine } from '../domain/training-engine';
import type { Store } from '../store/store';

/**
 * A run's engine record (settings and pairs) from its database row. A run whose job first ran before the row
 * held it (migration 009) kept it in RUN/run.json and a RUN/pairs/ folder of `<id>-<name>.input.png` files:
 * that is read once, stored on the row, and the files are removed, so the row stays the one record.
 * Undefined while the run has not started training.
 */
export async function engineOfRun(store: Store, run: Pick<TrainingRun, 'id' | 'runPath'>): Promise<TrainingRunEngine | undefined> {
  const recorded = store.trainingRuns.engineOf(run.id);
  if (recorded || !run.runPath) return recorded;
  const folder = new RunDir(run.runPath);
  const legacy = (await folder.readSettings()) as TrainSettings | undefined;
  if (!legacy) return undefined;
  const { pairs: pairsDir, steps: _steps, ...settings } = legacy;
  // Only the old job's own layout (its pairs exported into RUN/pairs) is taken over; any other folder is left alone.
  if (path.resolve(pairsDir) !== path.resolve(run.runPath, 'pairs')) return undefined;
  // The names sort as the folder reader sorted them, so the held-out pairs stay the same ones.
  const names = (await readdir(pairsDir).catch(() => [] as string[])).filter((name) => name.endsWith('.input.png')).sort();
  const pairIds = names
    .map((name) => /^(\d+)-/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]));
  const engine: TrainingRunEngine = { settings, pairIds };
  store.trainingRuns.setEngine(run.id, engine);
  await rm(folder.settingsPath, { force: true });
  await rm(path.join(run.runPath, 'pairs'), { recursive: true, force: true });
  await rm(folder.previewsPath, { recursive: true, force: true });
  return engine;
}

/** The settings the trainer gets: the recorded ones, with the row's total steps (which `extend` raises). */
export function runSettingsOf(run: Pick<TrainingRun, 'totalSteps'>, engine: TrainingRunEngine): FineTuneSettings {
  return { ...engine.settings, steps: run.totalSteps };
}
