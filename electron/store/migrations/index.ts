import type { Migration } from './migration';
import { migration001Initial } from './001-initial';
import { migration002Jobs } from './002-jobs';
import { migration003JobCancelRequests } from './003-job-cancel-requests';
import { migration004Exports } from './004-exports';
import { migration005Flow } from './005-flow';
import { migration006TrainingPreviewPairs } from './006-training-preview-pairs';
import { migration007TrainingPauseRequests } from './007-training-pause-requests';
import { migration008TrainingBaselines } from './008-training-baselines';
import { migration009TrainingEngineSettings } from './009-training-engine-settings';

// Append only: a shipped migration is never edited, a change is a new numbered file.
export const migrations: readonly Migration[] = [
  migration001Initial,
  migration002Jobs,
  migration003JobCancelRequests,
  migration004Exports,
  migration005Flow,
  migration006TrainingPreviewPairs,
  migration007TrainingPauseRequests,
  migration008TrainingBaselines,
  migration009TrainingEngineSettings,
];
export type { Migration };
