import { decodeImage, imageFeatures } from '../../native-models/image/index';
import { InvalidInputError } from '../domain/errors';
import type { SubsetSelection } from '../domain/pair-types';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import { requireConcept } from './records';
import { selectRepresentatives } from './subset-selection';

export interface SubsetService {
  select(input: { conceptId: number; targetCount: number }): Promise<SubsetSelection>;
}

const SUBSET_FEATURE_SIDE = 64;

export function createSubsetService({ store, events }: { store: Store; events: TypedEmitter<ServiceEvents> }): SubsetService {
  const { pairs } = store;
  return {
    async select({ conceptId, targetCount }) {
      const concept = requireConcept(store, conceptId);
      const candidates = pairs.listByConcept(conceptId).filter((p) => p.status === 'pending' || p.status === 'accepted');
      if (candidates.length === 0) throw new InvalidInputError(`concept ${conceptId} has no pending or accepted pairs to choose from`);
      const features: Float32Array[] = [];
      for (const pair of candidates) {
        const image = await decodeImage(await store.blobs.read(pair.inputSha256), `pair ${pair.id} input`, { maxSide: SUBSET_FEATURE_SIDE });
        features.push(imageFeatures(image));
      }
      const keptIndices = selectRepresentatives(features, targetCount, conceptId);
      const keptPairIds = keptIndices.map((i) => candidates[i]!.id);
      pairs.setSubset(conceptId, keptPairIds);
      events.emit('pairsChanged', { projectId: concept.projectId, conceptId });
      const kept = new Set(keptPairIds);
      return {
        conceptId,
        targetCount,
        keptPairIds,
        droppedPairIds: candidates.filter((p) => !kept.has(p.id)).map((p) => p.id),
        features: 'colour-gradient-histogram',
      };
    },
  };
}
