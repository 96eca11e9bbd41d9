import { parseSchedulerConfig, type SchedulerConfig, type SchedulerKind } from './config';
import { DdimScheduler } from './ddim';
import { EulerScheduler } from './euler';
import { LcmScheduler } from './lcm';
import type { Scheduler } from './scheduler';

export * from './config';
export { img2imgStartIndex, type Scheduler } from './scheduler';
export { EulerScheduler } from './euler';
export { DdimScheduler } from './ddim';
export { LcmScheduler } from './lcm';

export function createScheduler(config: SchedulerConfig, options: { eta?: number } = {}): Scheduler {
  switch (config.kind) {
    case 'euler':
    case 'euler-ancestral':
      return new EulerScheduler(config);
    case 'ddim':
      return new DdimScheduler(config, options.eta ?? 0);
    case 'lcm':
      return new LcmScheduler(config);
  }
}

/** Parses a scheduler_config.json object and builds the sampler it names (or `kind` instead). */
export function schedulerFromJson(raw: unknown, options: { kind?: SchedulerKind; source?: string; eta?: number } = {}): Scheduler {
  const config = parseSchedulerConfig(raw, {
    ...(options.kind ? { kindOverride: options.kind } : {}),
    ...(options.source ? { source: options.source } : {}),
  });
  return createScheduler(config, options.eta !== undefined ? { eta: options.eta } : {});
}
