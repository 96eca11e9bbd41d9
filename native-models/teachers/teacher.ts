import type { RgbImage } from '../image/image';

/**
 * A built-in concept teacher: a deterministic image operator standing in for a diffusion editor. It gives
 * base pre-training pairs, the offline default teacher, and exact targets for quality tests.
 */
export interface ConceptTeacher {
  /** Stable kebab-case id, used in files, checkpoints (concept tokens) and the CLI. Never rename. */
  readonly id: string;
  /** Prompt-like name, as an artist would type it: "pencil sketch". */
  readonly name: string;
  /** One line on what it does. */
  readonly description: string;
  /** Returns a new image of the same size, values in [0, 1]; the same input always gives the same output. */
  apply(image: RgbImage): RgbImage;
}
