import { createRng, type Rng } from '../util/rng';
import { randomCropScale, resizeCover } from '../image/transform';
import type { RgbImage } from '../image/image';

export interface PairAugmentation {
  /** Mirror probability (default 0.5). */
  readonly flipProbability: number;
  /** Crop side fraction range; [1, 1] disables random crops. */
  readonly minScale: number;
  readonly maxScale: number;
}

export const DEFAULT_AUGMENTATION: PairAugmentation = { flipProbability: 0.5, minScale: 0.6, maxScale: 1 };
export const NO_AUGMENTATION: PairAugmentation = { flipProbability: 0, minScale: 1, maxScale: 1 };

export interface ImagePair {
  readonly input: RgbImage;
  readonly target: RgbImage;
}

/**
 * Applies the SAME random crop/scale/flip to input and target (the pair must stay pixel-aligned): both draws
 * come from one forked generator state, and the caller's rng advances by one draw.
 */
export function augmentPair(pair: ImagePair, rng: Rng, size: number, options: PairAugmentation = DEFAULT_AUGMENTATION): ImagePair {
  const forkSeed = Math.floor(rng.next() * 0x1_0000_0000);
  if (options.minScale >= 1 && options.flipProbability <= 0) {
    return { input: fit(pair.input, size), target: fit(pair.target, size) };
  }
  const crop = { width: size, height: size, minScale: options.minScale, maxScale: options.maxScale, flipProbability: options.flipProbability };
  return {
    input: randomCropScale(pair.input, createRng(forkSeed), crop),
    target: randomCropScale(pair.target, createRng(forkSeed), crop),
  };
}

function fit(image: RgbImage, size: number): RgbImage {
  return image.width === size && image.height === size ? image : resizeCover(image, size, size);
}

/** Draws `count` indices in [0, n): a fresh seeded permutation each epoch, so every pair is seen equally often. */
export class EpochSampler {
  private order: number[] = [];
  private position = 0;

  constructor(
    private readonly n: number,
    private readonly rng: Rng,
  ) {
    if (n < 1) throw new Error('EpochSampler: no pairs to sample from');
  }

  next(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.position >= this.order.length) this.reshuffle();
      out.push(this.order[this.position++]!);
    }
    return out;
  }

  private reshuffle(): void {
    this.order = Array.from({ length: this.n }, (_, i) => i);
    for (let i = this.n - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
    this.position = 0;
  }

  /** Position within the current epoch, for checkpoints (the order is re-derived from the rng on resume). */
  get state(): { order: number[]; position: number } {
    return { order: [...this.order], position: this.position };
  }

  restore(state: { order: number[]; position: number }): void {
    this.order = [...state.order];
    this.position = state.position;
  }
}
