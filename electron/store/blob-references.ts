/**
 * Every column that holds a blob address. Garbage collection keeps a blob while any of these refers to it, so a
 * migration adding a table with blob columns (pairs, checkpoints, exports) must add its columns here too.
 */
export const BLOB_REFERENCE_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'images', column: 'sha256' },
  { table: 'images', column: 'thumbnail_sha256' },
  { table: 'pairs', column: 'input_sha256' },
  { table: 'pairs', column: 'target_sha256' },
  { table: 'training_checkpoints', column: 'live_model_sha256' },
  { table: 'training_previews', column: 'sha256' },
];
