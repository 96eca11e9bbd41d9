import path from 'node:path';
import { generatePairImages } from '../../../native-models/diffusion/pair-generator';
import { checkPairQuality, type PairQualityVerdict } from '../../../native-models/diffusion/pair-quality';
import { decodeImage, encodeImage, type RgbImage } from '../../../native-models/image/index';
import { getTeacher } from '../../../native-models/teachers/index';
import { PAIR_MAX_SIDE, type GeneratePairsPayload, type GeneratePairsResult, type PairTeacher } from '../../domain/pair-types';
import type { ImageRecord } from '../../domain/types';
import type { Store } from '../../store/store';
import type { JobContext, JobHandler } from '../job-handlers';

/**
 * One pair per photo with the concept's teacher (a built-in effect, or an installed diffusion model), each
 * judged by the pair-quality guard: near-identical or unrelated outputs are kept but marked guard-rejected
 * with the reason, so the curation grid can show why. Built-in pairs are written one by one (they stream into
 * the grid); a cancel stops between photos (between denoising steps for diffusion), and a resumed job skips
 * photos this job already did. A photo cancelled on its own (pairs.cancelItem) is skipped when the worker reaches
 * it and listed in result.cancelled; the other photos carry on.
 */
export const generatePairsJob: JobHandler<'generate-pairs'> = async (context) => {
  const { jobId, payload, store } = context;
  const { pairs } = store;
  const jobCreatedAt = store.jobs.get(jobId)?.createdAt ?? '';
  const result: GeneratePairsResult = { pairIds: [], failed: [], notProcessed: 0, cancelled: [] };
  const todo: { index: number; imageId: number; image: ImageRecord }[] = [];
  for (const [index, imageId] of payload.imageIds.entries()) {
    const image = store.images.get(imageId);
    if (!image) {
      result.failed.push({ imageId, reason: `image ${imageId} no longer exists` });
      continue;
    }
    const existing = pairs.findByImage(payload.conceptId, imageId);
    // Kept: a pair this job already wrote before a crash, or (unless replacing) any pair from the same teacher.
    const doneByThisJob = existing && existing.updatedAt >= jobCreatedAt && existing.seed === payload.seed + index;
    if (existing && sameTeacher(existing.teacher, payload.teacher) && (doneByThisJob || !payload.replace)) {
      result.pairIds.push(existing.id);
      continue;
    }
    todo.push({ index, imageId, image });
  }
  if (payload.teacher.kind === 'diffusion') await withDiffusion(context, payload.teacher, todo, result);
  else if (payload.teacher.kind === 'builtin') await withBuiltin(context, payload.teacher.id, todo, result);
  else throw new Error(`teacher kind '${payload.teacher.kind}' cannot generate pairs`);
  return result;
};

type Todo = { index: number; imageId: number; image: ImageRecord }[];

async function withBuiltin(
  { jobId, payload, store, signal, reportProgress }: JobContext<'generate-pairs'>,
  teacherId: string,
  todo: Todo,
  result: GeneratePairsResult,
): Promise<void> {
  const teacher = getTeacher(teacherId);
  for (const [position, { index, imageId, image }] of todo.entries()) {
    if (signal.aborted) {
      result.notProcessed = todo.length - position;
      return;
    }
    if (store.jobs.skippedPairItems(jobId).includes(imageId)) {
      result.cancelled.push(imageId);
      reportProgress((position + 1) / todo.length, `${position + 1} of ${todo.length}: ${image.originalName} cancelled`);
      continue;
    }
    reportProgress(position / todo.length, `${position + 1} of ${todo.length}: ${image.originalName}`);
    try {
      const input = await decodeImage(await store.blobs.read(image.sha256), image.originalName, { maxSide: PAIR_MAX_SIDE });
      const target = teacher.apply(input);
      await savePair(store, payload, { index, imageId, image }, input, target, checkPairQuality(input, target), result);
    } catch (error) {
      result.failed.push({ imageId, reason: `${image.originalName}: ${(error as Error).message}` });
    }
    reportProgress((position + 1) / todo.length, `${position + 1} of ${todo.length}: ${image.originalName}`);
  }
}

/**
 * All photos go through one model load (loading a diffusion model costs far more than one photo). Photos are
 * decoded from the blob store and each pair comes back in memory with the guard's verdict, straight into the
 * store: no image file is written or read on the way.
 */
async function withDiffusion(
  { jobId, payload, store, signal, reportProgress }: JobContext<'generate-pairs'>,
  teacher: Extract<PairTeacher, { kind: 'diffusion' }>,
  todo: Todo,
  result: GeneratePairsResult,
): Promise<void> {
  if (todo.length === 0) return;
  if (!payload.modelDir) throw new Error(`diffusion teacher '${teacher.modelId}': the job has no model folder`);
  // Photo i uses seed + i inside generatePairImages; each call covers a run of consecutive list positions.
  for (const candidateRun of consecutiveRuns(todo)) {
    if (signal.aborted) {
      result.notProcessed += candidateRun.length;
      continue;
    }
    // Skipped photos split the run: generatePairImages numbers seeds by list position, so runs stay consecutive.
    const skippedBefore = new Set(store.jobs.skippedPairItems(jobId));
    const kept = candidateRun.filter((item) => !skippedBefore.has(item.imageId));
    result.cancelled.push(...candidateRun.filter((item) => skippedBefore.has(item.imageId)).map((item) => item.imageId));
    for (const run of consecutiveRuns(kept)) {
      let handled = 0;
      try {
        await generatePairImages({
          modelDir: payload.modelDir,
          prompt: payload.prompt,
          photos: run.map((item) => ({
            name: item.image.originalName,
            load: async () => decodeImage(await store.blobs.read(item.image.sha256), item.image.originalName),
          })),
          size: teacher.size,
          steps: teacher.steps,
          seed: payload.seed + run[0]!.index,
          guidanceScale: teacher.guidance,
          imageGuidanceScale: teacher.imageGuidance,
          executionProviders: 'auto',
          signal,
          ...(teacher.negativePrompt ? { negativePrompt: teacher.negativePrompt } : {}),
          onProgress: (p) =>
            reportProgress(
              (p.imageIndex + p.step / Math.max(1, p.steps)) / p.imageCount,
              `${p.imageIndex + 1} of ${p.imageCount}: step ${p.step} of ${p.steps}`,
            ),
          onPair: async (outcome) => {
            handled += 1;
            const item = run[outcome.index]!;
            // A photo cancelled while its batch was denoising gets no pair (the batch cannot drop it half-way).
            if (store.jobs.skippedPairItems(jobId).includes(item.imageId)) {
              result.cancelled.push(item.imageId);
            } else if (outcome.status === 'failed') {
              result.failed.push({ imageId: item.imageId, reason: `${item.image.originalName}: ${outcome.reason}` });
            } else {
              await savePair(store, payload, item, outcome.input, outcome.target, outcome.verdict, result);
            }
          },
        });
      } catch (error) {
        // Cancelled mid-denoise: the pairs already stored stay; the photos not reached count as not processed and
        // the job ends 'cancelled'.
        if (!signal.aborted) throw error;
      }
      result.notProcessed += run.length - handled;
    }
  }
}

async function savePair(
  store: Store,
  payload: GeneratePairsPayload,
  item: { index: number; imageId: number; image: ImageRecord },
  input: RgbImage,
  target: RgbImage,
  verdict: PairQualityVerdict,
  result: GeneratePairsResult,
): Promise<void> {
  const reason = verdict.ok ? null : (verdict.reason ?? 'rejected by the pair-quality guard');
  const pair = store.pairs.upsert({
    projectId: payload.projectId,
    conceptId: payload.conceptId,
    imageId: item.imageId,
    name: path.parse(item.image.originalName).name,
    inputSha256: await store.blobs.put(await encodeImage(input, 'png')),
    targetSha256: await store.blobs.put(await encodeImage(target, 'png')),
    status: verdict.ok ? 'pending' : 'guard-rejected',
    reason,
    seed: payload.seed + item.index,
    teacher: payload.teacher,
  });
  result.pairIds.push(pair.id);
  if (reason) result.failed.push({ imageId: item.imageId, reason });
}

function consecutiveRuns(todo: Todo): Todo[] {
  const runs: Todo[] = [];
  for (const item of todo) {
    const last = runs.at(-1);
    if (last && last.at(-1)!.index === item.index - 1) last.push(item);
    else runs.push([item]);
  }
  return runs;
}

function sameTeacher(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
