import type { PairProblem } from '../../native-models/e2gan/pairs-dir';
import type { NamedPair } from '../../native-models/e2gan/trainer';
import { decodeImage } from '../../native-models/image/index';
import type { Store } from '../store/store';

export interface RunPairs {
  /** In the order of `pairIds`, without the ones in `problems`. */
  readonly pairs: NamedPair[];
  /** The pair each entry of `pairs` is (same order). */
  readonly pairIds: number[];
  readonly problems: PairProblem[];
}

/**
 * A run's pairs decoded from the blob store straight into memory (no folder of image files between the store
 * and the trainer). Each pair is named `<id>-<name>`, so its previews say which pair they show. A pair whose
 * target does not match its input's size is left out and reported, as the folder reader does; a pair removed
 * from the project since the run began is an error naming it (the run would no longer train on its own data).
 */
export async function loadRunPairs(store: Store, pairIds: readonly number[]): Promise<RunPairs> {
  const pairs: NamedPair[] = [];
  const kept: number[] = [];
  const problems: PairProblem[] = [];
  for (const id of pairIds) {
    const pair = store.pairs.get(id);
    if (!pair) throw new Error(`pair ${id} of this training run no longer exists; start a new run on the concept's current pairs`);
    const name = `${id}-${pair.name}`;
    const input = await decodeImage(await store.blobs.read(pair.inputSha256), `pair ${name} input`);
    const target = await decodeImage(await store.blobs.read(pair.targetSha256), `pair ${name} target`);
    if (input.width !== target.width || input.height !== target.height) {
      problems.push({ file: `pair ${name}`, reason: `target size ${target.width}x${target.height} differs from its input's ${input.width}x${input.height}` });
      continue;
    }
    pairs.push({ name, input, target });
    kept.push(id);
  }
  return { pairs, pairIds: kept, problems };
}

/** The pair id a preview image's name (`<id>-<name>`, see loadRunPairs) says it shows. */
export function pairIdOfName(name: string): number | null {
  const match = /^(\d+)-/.exec(name);
  return match ? Number(match[1]) : null;
}
