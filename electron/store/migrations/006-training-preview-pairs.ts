import type { Migration } from './migration';

/**
 * Which pair each preview image shows, so the training view can put the student's output next to the
 * teacher's target (an A/B slider) and the input photo. NULL for previews of pairs deleted since.
 */
export const migration006TrainingPreviewPairs: Migration = {
  version: 6,
  name: 'training-preview-pairs',
  up(db) {
    db.exec(`ALTER TABLE training_previews ADD COLUMN pair_id INTEGER REFERENCES pairs(id) ON DELETE SET NULL;`);
  },
};
