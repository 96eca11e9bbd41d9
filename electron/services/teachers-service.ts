import { existsSync } from 'node:fs';
import path from 'node:path';
import { listInstalledModels } from '../../native-models/diffusion/models/model-store';
import { decodeImage, encodeImage } from '../../native-models/image/index';
import { findTeacher, listTeachers } from '../../native-models/teachers/index';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { PairTeacher } from '../domain/pair-types';
import type { TeacherInfo, TeacherSample } from '../domain/teacher-types';
import type { Store } from '../store/store';
import { requireConcept } from './records';

export interface TeachersService {
  list(): Promise<TeacherInfo[]>;
  /** Every built-in effect applied to one project photo (small, for a gallery), as PNG blobs. */
  gallery(input: { imageId: number }): Promise<TeacherSample[]>;
}

/** concept.teacher value for a diffusion model: 'diffusion:<installed model name>'. */
export const DIFFUSION_PREFIX = 'diffusion:';
/** InstructPix2Pix's usual settings; 512 is the resolution these models were trained at. */
export const DIFFUSION_DEFAULTS = { guidance: 7.5, imageGuidance: 1.5, steps: 20, size: 512 } as const;
/** Gallery tiles: big enough to tell the effects apart, small enough that all twenty take well under a second. */
const GALLERY_SIDE = 160;

export function createTeachersService({ store, modelsDir }: { store: Store; modelsDir: string }): TeachersService {
  /** Gallery tiles per photo (by its content hash): a photo's effects never change. */
  const galleries = new Map<string, Promise<TeacherSample[]>>();
  return {
    async list() {
      const builtins: TeacherInfo[] = listTeachers().map((t) => ({ kind: 'builtin', id: t.id, name: t.name, description: t.description }));
      const models = (await listInstalledModels(modelsDir)).filter((m) => m.problem === undefined);
      return [
        ...builtins,
        ...models.map(
          (m): TeacherInfo => ({ kind: 'diffusion', id: `${DIFFUSION_PREFIX}${m.name}`, name: m.name, description: m.pipelineClass ?? 'diffusion model' }),
        ),
      ];
    },
    gallery({ imageId }) {
      const image = store.images.get(imageId);
      if (!image) throw new NotFoundError('image', imageId);
      const cached = galleries.get(image.sha256);
      if (cached) return cached;
      const made = (async () => {
        const input = await decodeImage(await store.blobs.read(image.sha256), image.originalName, { maxSide: GALLERY_SIDE });
        const samples: TeacherSample[] = [];
        for (const teacher of listTeachers()) {
          samples.push({ teacherId: teacher.id, sha256: await store.blobs.put(await encodeImage(teacher.apply(input), 'png')) });
        }
        return samples;
      })();
      galleries.set(image.sha256, made);
      // A failure is reported, not cached: the next request tries again.
      made.catch(() => galleries.delete(image.sha256));
      return made;
    },
  };
}

/** The folder of an installed diffusion model; refused when it is not installed. */
export function diffusionModelDir(modelsDir: string, modelId: string): string {
  const dir = path.join(modelsDir, modelId);
  if (!isModelFolderName(modelId) || !existsSync(path.join(dir, 'model_index.json'))) {
    throw new InvalidInputError(`diffusion model '${modelId}' is not installed in ${modelsDir} (see teachers.list or e2gan models list)`);
  }
  return dir;
}

/**
 * Refuses a concept.teacher value that can never name a teacher, when a concept is created or changed: one that
 * is not '' (no teacher chosen yet), not a built-in teacher's id and not 'diffusion:<model id>'. A diffusion
 * model need not be installed yet (it may be downloaded after the concept is made); pairs.generate checks that
 * (conceptTeacher), as a model can also be removed later.
 */
export function checkTeacherChoice(teacher: string): void {
  if (teacher === '' || findTeacher(teacher)) return;
  if (!teacher.startsWith(DIFFUSION_PREFIX)) throw new InvalidInputError(`teacher: ${unknownTeacher(teacher)}`);
  if (!isModelFolderName(teacher.slice(DIFFUSION_PREFIX.length))) {
    throw new InvalidInputError(
      `teacher: '${teacher}' names no diffusion model; expected '${DIFFUSION_PREFIX}<model id>', a model folder name without '/' or '\\' (see teachers.list)`,
    );
  }
}

/**
 * A model id is the name of one folder inside the models folder: not empty, no path separator, and not '.' or
 * '..', which would name the models folder itself or its parent.
 */
function isModelFolderName(modelId: string): boolean {
  return modelId !== '' && modelId !== '.' && modelId !== '..' && !/[/\\]/.test(modelId);
}

/** Why `teacher` is no teacher, with the choices. */
function unknownTeacher(teacher: string): string {
  const known = listTeachers()
    .map((t) => t.id)
    .join(', ');
  return `'${teacher}' is not a built-in teacher (known: ${known}) nor '${DIFFUSION_PREFIX}<model id>'`;
}

/** The teacher a concept makes its pairs with (concept.teacher), checked to exist. */
export function conceptTeacher(store: Store, modelsDir: string, conceptId: number): PairTeacher {
  const concept = requireConcept(store, conceptId);
  if (concept.teacher.startsWith(DIFFUSION_PREFIX)) {
    const modelId = concept.teacher.slice(DIFFUSION_PREFIX.length);
    diffusionModelDir(modelsDir, modelId);
    return { kind: 'diffusion', modelId, ...DIFFUSION_DEFAULTS };
  }
  if (concept.teacher === '') {
    throw new InvalidInputError(`concept ${conceptId} ('${concept.name}') has no teacher; choose one with concepts.update (e.g. teacher: 'sepia-vintage')`);
  }
  if (!findTeacher(concept.teacher)) throw new InvalidInputError(`concept ${conceptId}: teacher ${unknownTeacher(concept.teacher)}`);
  return { kind: 'builtin', id: concept.teacher };
}
