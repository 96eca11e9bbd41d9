import type { FineTuneSettings } from '../../native-models/e2gan/trainer';

/**
 * What a studio training run trains with, resolved by its job's first execution and kept on the run's database
 * row (the one record: no run.json beside it): the engine's settings, with the ranks a rank search found, and
 * the pairs in the order the trainer takes them (the held-out ones last). The total step count is not in here:
 * it is the row's total_steps, which `extend` raises.
 */
export interface TrainingRunEngine {
  settings: Omit<FineTuneSettings, 'steps'>;
  pairIds: number[];
}
