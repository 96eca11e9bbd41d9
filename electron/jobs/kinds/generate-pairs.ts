import path from 'node:path';
import { checkPairQuality } from '../../../native-models/diffusion/pair-quality';
import { decodeImage, encodeImage } from '../../../native-models/image/index';
import { getTeacher } from '../../../native-models/teachers/index';
import type { GeneratePairsResult } from '../../services/flow-types';
import { PAIR_MAX_SIDE } from '../../services/import-pairs';
import { PairsRepository } from '../../store/repositories/pairs';
import type { JobHandler } from '../job-handlers';

/**
 * One pair per photo with a built-in teacher, each judged by the pair-quality guard (near-identical or
 * unrelated outputs are kept but marked guard-rejected with the reason). Pairs are written one by one, so they
 * stream into the curation grid; a cancel stops between photos and a resumed job skips photos already done.
 */
export const generatePairsJob: JobHandler<'generate-pairs'> = async ({ jobId, payload, store, signal, reportProgress }) => {
  if (payload.teacher.kind !== 'builtin') throw new Error(`teacher kind '${payload.teacher.kind}': only built-in teachers generate pairs in the studio yet`);
  const teacher = getTeacher(payload.teacher.id);
  const pairs = new PairsRepository(store.db);
  const jobCreatedAt = store.jobs.get(jobId)?.createdAt ?? '';
  const result: GeneratePairsResult = { pairIds: [], failed: [], notProcessed: 0 };
  const total = payload.imageIds.length;
  for (const [index, imageId] of payload.imageIds.entries()) {
    if (signal.aborted) {
      result.notProcessed = total - index;
      break;
    }
    const image = store.images.get(imageId);
    const label = image?.originalName ?? `image ${imageId}`;
    reportProgress(index / total, `${index + 1} of ${total}: ${label}`);
    if (!image) {
      result.failed.push({ imageId, reason: `image ${imageId} no longer exists` });
      continue;
    }
    // A job resumed after a crash: this photo's pair was already written by this same job.
    const existing = pairs.findByImage(payload.conceptId, imageId);
    if (existing && existing.updatedAt >= jobCreatedAt && existing.seed === payload.seed && sameTeacher(existing.teacher, payload.teacher)) {
      result.pairIds.push(existing.id);
      continue;
    }
    try {
      const input = await decodeImage(await store.blobs.read(image.sha256), image.originalName, { maxSide: PAIR_MAX_SIDE });
      const target = teacher.apply(input);
      const verdict = checkPairQuality(input, target);
      const inputSha256 = await store.blobs.put(await encodeImage(input, 'png'));
      const targetSha256 = await store.blobs.put(await encodeImage(target, 'png'));
      const pair = pairs.upsert({
        projectId: payload.projectId, conceptId: payload.conceptId, imageId, name: path.parse(image.originalName).name, inputSha256, targetSha256,
        status: verdict.ok ? 'pending' : 'guard-rejected', reason: verdict.ok ? null : (verdict.reason ?? 'rejected by the pair-quality guard'),
        seed: payload.seed, teacher: payload.teacher,
      });
      result.pairIds.push(pair.id);
      if (!verdict.ok) result.failed.push({ imageId, reason: pair.reason ?? 'rejected by the pair-quality guard' });
    } catch (error) {
      result.failed.push({ imageId, reason: `${label}: ${(error as Error).message}` });
    }
    reportProgress((index + 1) / total, `${index + 1} of ${total}: ${label}`);
  }
  return result;
};

function sameTeacher(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
