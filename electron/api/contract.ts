/**
 * THE studio API: every method and event the renderer may use, declared once.
 *
 * Browser-safe: imports only zod (plus erased type imports). The IPC adapter (main + preload), the WebSocket
 * adapter (browser mode) and the typed client are all generated from `apiMethods` / `apiEvents`, so a method's
 * name is written here and nowhere else. Adding a method = one entry here + one handler in handlers.ts.
 *
 * Every method takes at most one argument (a plain object, validated by its zod schema at the back-end boundary)
 * and returns a promise of plain data. A bad payload is rejected with an `invalid_input` ApiError before any
 * handler runs, so it can never cause a partial write.
 */
import { z } from 'zod';
import type { Concept, ImageRecord, ImportImagesResult, Job, JobKind, JobProgress, JobState, Project } from '../domain/types';
import type { ExportFile, ExportRecord, Precision, ShareAddress, ShareState } from '../domain/export-types';
import type { DiffusionModelInfo, ModelVerification } from '../domain/model-types';
import type { DownloadPlan } from '../jobs/hf-cache';
import type { HubTokenStatus } from '../services/hub-token';
import type { ImportPairsResult, PairItemCancelled, PairRecord, SubsetSelection } from '../domain/pair-types';
import type { TeacherInfo, TeacherSample } from '../domain/teacher-types';
import type { LiveModel, TrainingPlan, TrainingProgress, TrainingRun } from '../domain/training-types';

export type { Concept, ImageRecord, ImportImagesResult, Job, JobKind, JobProgress, JobState, Project };
export type { ExportFile, ExportRecord, Precision, ShareAddress, ShareState };
export type { DiffusionModelInfo, DownloadPlan, HubTokenStatus, ModelVerification };
export type { GeneratePairsResult, ImportPairsResult, PairItemCancelled, PairRecord, PairStatus, PairTeacher, SubsetSelection } from '../domain/pair-types';
export type { TeacherInfo, TeacherSample } from '../domain/teacher-types';
export type {
  LiveModel,
  LossPoint,
  QualityBaselines,
  TrainingAdvanced,
  TrainingCheckpoint,
  TrainingPlan,
  TrainingPreset,
  TrainingPreview,
  TrainingProgress,
  TrainingRun,
  TrainingSettingsSummary,
  TrainingState,
} from '../domain/training-types';

// ---------------------------------------------------------------------------------------------------------
// Declaration helpers

/** A method: an input schema plus a phantom output type (outputs are produced by our own code, not validated). */
export interface MethodSpec<Input extends z.ZodType, Output> {
  readonly input: Input;
  /** Type-level only; always undefined at run time. */
  readonly output?: Output;
  /** A start call's job kind: its answer is a Job of this kind, which the client checks when it arrives. */
  readonly jobKind?: JobKind;
}

/** An event pushed from the back end to every connected renderer. */
export interface EventSpec<Payload> {
  readonly payload?: Payload;
}

/**
 * `method(schema).returns<T>()` reads like a signature and keeps the output type explicit. A call that queues a
 * job declares its kind instead, `method(schema).startsJob('export-bundle')`: the answer is typed Job<'export-bundle'>
 * (payload and result included), and the kind is also kept at run time for the client to check.
 */
function method<Input extends z.ZodType>(input: Input) {
  return {
    returns: <Output>(): MethodSpec<Input, Output> => ({ input }),
    startsJob: <K extends JobKind>(jobKind: K): MethodSpec<Input, Job<K>> => ({ input, jobKind }),
  };
}

function event<Payload>(): EventSpec<Payload> {
  return {};
}

/** Methods without arguments: only `undefined` (nothing) is accepted. */
const noInput = z.undefined();

// ---------------------------------------------------------------------------------------------------------
// Shared field schemas

const id = z.number().int().positive();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A zero-width joiner inside an emoji sequence (👨‍👩‍👧) is part of the picture, not a hidden character. */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
/**
 * Names shown in lists: trimmed, 1..120 characters, no control characters (they break file names and layouts),
 * no lone surrogates (not text; they break UTF-8 files) and no invisible format characters (\p{Cf}: bidi
 * overrides that show "invoice‮gnp.exe" reversed, zero-width spaces that make two names look identical).
 */
const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(120, 'must be at most 120 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the character class names the control characters it rejects
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
  .refine((name) => !LONE_SURROGATE.test(name), { message: 'must be valid Unicode text (it holds a lone surrogate)' })
  .refine((name) => !/\p{Cf}/u.test(name.replace(EMOJI_JOINER, '')), {
    message: 'must not contain invisible format characters (bidi overrides, zero-width spaces)',
  });
const prompt = z.string().max(2000, 'must be at most 2000 characters');
const teacher = z.string().max(200, 'must be at most 200 characters');

/** No file system allows NUL in a path; Node's fs functions throw on it instead of answering "not found". */
const withoutNul = (p: string) => !p.includes('\u0000');
const NUL_MESSAGE = { message: 'must not contain NUL characters' };

/** Absolute path of a file or folder on the back end's disk (POSIX or Windows form). */
const absolutePath = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine(withoutNul, NUL_MESSAGE)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'must be an absolute path',
  });

/** One thing to import: a file or a folder (imported recursively), with the name to show for it. */
export const importSourceSchema = z.strictObject({
  path: absolutePath,
  /** Original file name (or folder-relative path) when `path` is a staged upload with a generated name. */
  name: z.string().min(1).max(1024).optional(),
});
export type ImportSource = z.infer<typeof importSourceSchema>;

/**
 * All sources of one import together, as JSON: 100,000 staged files at ~480 bytes each. Kept under the
 * WebSocket's payload limit (WS_MAX_PAYLOAD_BYTES, 64 MiB) so every call the schema accepts can be sent.
 */
export const MAX_SOURCES_JSON_BYTES = 48 * 1024 * 1024;
const importSources = z
  .array(importSourceSchema)
  .min(1, 'must list at least one file or folder')
  .max(100_000)
  .refine((sources) => jsonByteLength(sources) <= MAX_SOURCES_JSON_BYTES, {
    message: `must be at most ${MAX_SOURCES_JSON_BYTES / 1024 / 1024} MiB as JSON (fewer or shorter paths)`,
  });

function jsonByteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

/** Bundle variants besides fp32 (fp32, the reference, is always exported). */
const precisionsSchema = z
  .array(z.enum(['fp32', 'fp16', 'int8']))
  .max(3, 'must list at most 3 precisions')
  .meta({ example: ['fp16', 'int8'] });

/** Studio flow (issue 7) fields. */
const idList = z
  .array(id)
  .min(1, 'must list at least one id')
  .max(10_000)
  .meta({ example: [1] });
const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const modelName = z.string().min(1).max(200).meta({ example: 'timbrooks--instruct-pix2pix' });
const userPairStatus = z.enum(['pending', 'accepted', 'rejected']).meta({ example: 'accepted' });
const trainingPreset = z.enum(['fast', 'balanced', 'quality']).meta({ example: 'fast' });
/** Overrides of the preset; each field optional. Sizes are multiples of 16 (the generator's total stride). */
const trainingAdvanced = z.strictObject({
  steps: z.number().int().min(1).max(1_000_000).optional(),
  size: z.number().int().min(16).max(1024).multipleOf(16, 'must be a multiple of 16').optional(),
  rank: z.union([z.number().int().min(1).max(64), z.literal('auto')]).optional(),
  learningRate: z.number().positive().max(1).optional(),
  executionProvider: z.enum(['auto', 'cpu', 'webgpu']).optional(),
});

const jobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);

// ---------------------------------------------------------------------------------------------------------
// Output types defined by the API itself (the rest come from the services)

export interface AppInfo {
  name: string;
  version: string;
  /** How the renderer is connected to the back end. */
  mode: 'electron' | 'browser';
  platform: string;
  versions: { node: string; electron: string | null; chrome: string | null };
  dataDir: string;
}

// ---------------------------------------------------------------------------------------------------------
// The contract

export const apiMethods = {
  app: {
    info: method(noInput).returns<AppInfo>(),
    /**
     * The OS folder picker (the desktop app only); null when the user closed it. Browser mode answers
     * unsupported: type the path there (the server confines it to the folders it may read).
     */
    pickFolder: method(z.strictObject({ title: z.string().min(1).max(200) })).returns<{ path: string | null }>(),
  },
  projects: {
    list: method(noInput).returns<Project[]>(),
    get: method(z.strictObject({ projectId: id })).returns<Project>(),
    create: method(z.strictObject({ name: displayName })).returns<Project>(),
    rename: method(z.strictObject({ projectId: id, name: displayName })).returns<Project>(),
    delete: method(z.strictObject({ projectId: id })).returns<void>(),
  },
  concepts: {
    list: method(z.strictObject({ projectId: id })).returns<Concept[]>(),
    /**
     * teacher: '' (none yet), a built-in id from teachers.list, or 'diffusion:<model id>' (the model may be
     * installed later; pairs.generate checks it). Anything else is refused as invalid input listing the built-in ids.
     */
    create: method(z.strictObject({ projectId: id, name: displayName, prompt: prompt.optional(), teacher: teacher.optional() })).returns<Concept>(),
    /** Changes only the fields given; teacher is checked as at create. */
    update: method(
      z.strictObject({
        conceptId: id,
        name: displayName.optional(),
        prompt: prompt.optional(),
        teacher: teacher.optional(),
      }),
    ).returns<Concept>(),
  },
  images: {
    list: method(z.strictObject({ projectId: id })).returns<ImageRecord[]>(),
  },
  imports: {
    /** Queues an import job; progress arrives as onJobProgress, the outcome as onJobFinished (job.result). */
    start: method(
      z.strictObject({
        projectId: id,
        sources: importSources,
      }),
    ).startsJob('import-images'),
    /** Queues an import of the photos shipped with the app (resources/samples), for a first try. */
    samples: method(z.strictObject({ projectId: id })).startsJob('import-images'),
  },
  jobs: {
    list: method(
      z
        .strictObject({
          projectId: id.optional(),
          states: z.array(jobStateSchema).min(1).optional(),
        })
        .optional(),
    ).returns<Job[]>(),
    get: method(z.strictObject({ jobId: id })).returns<Job>(),
    cancel: method(z.strictObject({ jobId: id })).returns<Job>(),
    /** Re-queues an interrupted (or failed) job; it continues where it stopped. */
    resume: method(z.strictObject({ jobId: id })).returns<Job>(),
    /** Gives up an interrupted (or queued) job; returns it in its final state. */
    discard: method(z.strictObject({ jobId: id })).returns<Job>(),
  },
  exports: {
    /**
     * Queues an export job of a finished training run; progress arrives as onJobProgress, the new
     * export as onExportsChanged. Name and prompt default to the concept's.
     */
    start: method(
      z.strictObject({
        projectId: id,
        /** Defaults to the training run's concept. */
        conceptId: id.nullable().optional(),
        /** Exactly one of the two: a finished studio training run, or a run folder made by `e2gan train`. */
        trainingRunId: id.optional(),
        runPath: absolutePath.optional(),
        precisions: precisionsSchema,
        name: displayName.optional(),
        prompt: prompt.optional(),
        /** Side of the phone model's square input (default 256); the model is fully convolutional. */
        size: z.number().int().min(64).max(1024).multipleOf(8, 'must be a multiple of 8').optional(),
        /** With trainingRunId: export the run's newest checkpoint now, while it keeps training. */
        snapshot: z.boolean().optional(),
      }),
    ).startsJob('export-bundle'),
    /** A project's exports (or one concept's), newest first, with their manifest and files. */
    list: method(z.strictObject({ projectId: id, conceptId: id.optional() })).returns<ExportRecord[]>(),
    /** Refused (conflict) while the export is being shared. */
    delete: method(z.strictObject({ exportId: id })).returns<void>(),
  },
  teachers: {
    /** Built-in effects (offline, always available) and installed diffusion models. */
    list: method(noInput).returns<TeacherInfo[]>(),
    /** Every built-in effect applied to one of the project's photos (scaled down), for a gallery to choose from. */
    gallery: method(z.strictObject({ imageId: id })).returns<TeacherSample[]>(),
  },
  models: {
    /** Installed diffusion models (the data folder's models/): kind, size, and any layout problem. */
    list: method(noInput).returns<DiffusionModelInfo[]>(),
    /** Re-hashes an installed model's files against its install manifest. */
    verify: method(z.strictObject({ name: modelName })).returns<ModelVerification>(),
    /** Copies a local diffusers ONNX export folder (on the machine running the back end) into the models. */
    importFolder: method(
      z.strictObject({ path: z.string().min(1).max(4096).refine(withoutNul, NUL_MESSAGE), name: modelName.optional() }),
    ).returns<DiffusionModelInfo>(),
    /** Queues a download of a Hugging Face repo (org/name); cancel with jobs.cancel, jobs.resume continues it. */
    download: method(
      z.strictObject({ repoId: z.string().min(3).max(200), revision: z.string().min(1).max(200).optional(), name: modelName.optional() }),
    ).startsJob('download-model'),
    remove: method(z.strictObject({ name: modelName })).returns<void>(),
    /** What a download would fetch, before it starts: its files and sizes, and what the Hugging Face cache holds. */
    plan: method(
      z.strictObject({ repoId: z.string().min(3).max(200), revision: z.string().min(1).max(200).optional(), name: modelName.optional() }),
    ).returns<DownloadPlan>(),
    /** Whether a Hugging Face token is stored; the token itself never comes back. */
    tokenStatus: method(noInput).returns<HubTokenStatus>(),
    /** Stores a Hugging Face token encrypted (Electron's safeStorage); refused where secrets cannot be encrypted. */
    setToken: method(z.strictObject({ token: z.string().min(1).max(1024) })).returns<HubTokenStatus>(),
    clearToken: method(noInput).returns<HubTokenStatus>(),
  },
  pairs: {
    /**
     * Queues a job making one pair per image with the concept's teacher (concept.teacher: an id from
     * teachers.list). Pairs stream in as onPairsChanged; progress is per image; cancel stops between images.
     * Images that already have a pair from the same teacher settings are skipped (regenerate remakes one).
     */
    generate: method(
      z.strictObject({
        conceptId: id,
        imageIds: idList,
        seed: seed.optional(),
        /** Overrides for a diffusion teacher (ignored by built-ins); defaults: 7.5, 1.5, 20 steps, 512 px. */
        diffusion: z
          .strictObject({
            guidance: z.number().min(0).max(50).optional(),
            imageGuidance: z.number().min(0).max(50).optional(),
            steps: z.number().int().min(1).max(200).optional(),
            size: z.number().int().min(64).max(1024).multipleOf(64, 'must be a multiple of 64').optional(),
            /** What the edit should avoid (classifier-free guidance's unconditional prompt); stored on each pair. */
            negativePrompt: prompt.optional(),
          })
          .optional(),
      }),
    ).startsJob('generate-pairs'),
    /** A concept's pairs, oldest first. */
    list: method(z.strictObject({ conceptId: id })).returns<PairRecord[]>(),
    setStatus: method(z.strictObject({ pairId: id, status: userPairStatus })).returns<PairRecord>(),
    /** Sets every pair of a concept in one of `from` (default: the pending ones) to `status`; returns those changed. */
    setStatusAll: method(
      z.strictObject({
        conceptId: id,
        status: userPairStatus,
        from: z
          .array(z.enum(['pending', 'accepted', 'rejected', 'guard-rejected']))
          .min(1)
          .optional(),
      }),
    ).returns<PairRecord[]>(),
    /**
     * Cancels one photo of a queued or running pairs.generate job; the others carry on and the job's
     * result.cancelled lists it. Announced as onPairItemCancelled.
     */
    cancelItem: method(z.strictObject({ jobId: id, imageId: id })).returns<PairItemCancelled>(),
    /** Queues a job that remakes one pair's target (a new seed; guidance for diffusion teachers). */
    regenerate: method(z.strictObject({ pairId: id, seed: seed.optional(), guidance: z.number().min(0).max(50).optional() })).startsJob('generate-pairs'),
    /** Imports before/after pairs: files or folders named NAME.input.EXT / NAME.target.EXT. */
    importPaired: method(
      z.strictObject({
        conceptId: id,
        sources: importSources,
      }),
    ).returns<ImportPairsResult>(),
  },
  subset: {
    /** Picks a representative subset of the accepted/pending pairs (k-means, nearest item per centroid). */
    select: method(z.strictObject({ conceptId: id, targetCount: z.number().int().min(1).max(100_000) })).returns<SubsetSelection>(),
  },
  training: {
    /** Creates a run on the concept's accepted pairs (the subset when one was selected) and queues it. */
    start: method(z.strictObject({ conceptId: id, preset: trainingPreset, advanced: trainingAdvanced.optional() })).returns<TrainingRun>(),
    /** What start would do now (settings, which pairs train and which are held out, estimated time); changes nothing. */
    plan: method(z.strictObject({ conceptId: id, preset: trainingPreset, advanced: trainingAdvanced.optional() })).returns<TrainingPlan>(),
    /** Checkpoints and stops; resume continues from that checkpoint. */
    pause: method(z.strictObject({ runId: id })).returns<TrainingRun>(),
    /** Continues a paused, interrupted or failed run from its newest checkpoint. */
    resume: method(z.strictObject({ runId: id })).returns<TrainingRun>(),
    cancel: method(z.strictObject({ runId: id })).returns<TrainingRun>(),
    /** Adds steps to a run (done or paused ones continue from their newest checkpoint). */
    extend: method(z.strictObject({ runId: id, steps: z.number().int().min(1).max(1_000_000) })).returns<TrainingRun>(),
    /** A project's runs (or one concept's), newest first. */
    list: method(z.strictObject({ projectId: id, conceptId: id.optional() })).returns<TrainingRun[]>(),
    get: method(z.strictObject({ runId: id })).returns<TrainingRun>(),
  },
  liveModel: {
    /** The run's newest checkpoint as a phone-format ONNX blob (built once per checkpoint, then cached). */
    get: method(z.strictObject({ runId: id })).returns<LiveModel>(),
  },
  share: {
    /** Starts "send to phone" for an export (stopping any other share); the state has the URL and QR code. */
    start: method(
      z.strictObject({
        exportId: id,
        /** One of share.addresses' addresses; default: the first (a private, non-virtual adapter when there is one). */
        host: z.ipv4().optional(),
      }),
    ).returns<ShareState>(),
    /** This machine's network adapters a phone might reach it on, the suggested one first. */
    addresses: method(noInput).returns<ShareAddress[]>(),
    stop: method(noInput).returns<ShareState>(),
    state: method(noInput).returns<ShareState>(),
  },
} as const;

export const apiEvents = {
  onJobProgress: event<JobProgress>(),
  /** Any job state change (queued, running, done, failed, cancelled, interrupted). */
  onJobChanged: event<{ job: Job }>(),
  /** A job stopped: done, failed, cancelled or interrupted (check job.state; job.result holds the outcome). */
  onJobFinished: event<{ job: Job }>(),
  /** A project was created, renamed or deleted, or its counts changed. */
  onProjectsChanged: event<{ projectId: number }>(),
  onConceptsChanged: event<{ projectId: number }>(),
  onImagesChanged: event<{ projectId: number }>(),
  /** An export finished or was deleted. */
  onExportsChanged: event<{ projectId: number }>(),
  /** Sharing to a phone started, stopped or expired. */
  onShareChanged: event<ShareState>(),
  /** A concept's pairs were added, changed status, or a subset was selected. */
  onPairsChanged: event<{ projectId: number; conceptId: number }>(),
  /** One photo of a running pair generation was cancelled (pairs.cancelItem). */
  onPairItemCancelled: event<PairItemCancelled>(),
  /** A diffusion model was installed or removed. */
  onModelsChanged: event<{ modelsDir: string }>(),
  /** A training step finished (throttled): losses, speed, newest preview grid. */
  onTrainingProgress: event<TrainingProgress>(),
  /** A run was created, changed state, or got a checkpoint or preview. */
  onTrainingChanged: event<{ projectId: number; conceptId: number; runId: number }>(),
} as const;

// ---------------------------------------------------------------------------------------------------------
// Types derived from the contract

type Methods = typeof apiMethods;
export type ApiGroup = keyof Methods;
export type ApiEventName = keyof typeof apiEvents;

type InputOf<S> = S extends MethodSpec<infer I, unknown> ? I : never;
type OutputOf<S> = S extends MethodSpec<z.ZodType, infer O> ? O : never;
export type EventPayload<E extends ApiEventName> = (typeof apiEvents)[E] extends EventSpec<infer P> ? P : never;

/**
 * Fails to compile when a method outside the `jobs` group answers with the general Job (any kind): a call that
 * queues a job declares its kind with startsJob, so callers get its payload and result typed without a cast.
 */
type AnswersWithAnyJob<S> = [Job] extends [OutputOf<S>] ? true : false;
type StartCallsTypedByKind = {
  [G in Exclude<ApiGroup, 'jobs'>]: { [M in keyof Methods[G]]: AnswersWithAnyJob<Methods[G][M]> }[keyof Methods[G]];
}[Exclude<ApiGroup, 'jobs'>];
const startCallsTypedByKind: StartCallsTypedByKind extends false ? true : never = true;
void startCallsTypedByKind;

/** `undefined`-only inputs become zero-argument functions; optional inputs an optional argument. */
type ClientFunction<S> =
  z.input<InputOf<S>> extends undefined
    ? () => Promise<OutputOf<S>>
    : undefined extends z.input<InputOf<S>>
      ? (input?: z.input<InputOf<S>>) => Promise<OutputOf<S>>
      : (input: z.input<InputOf<S>>) => Promise<OutputOf<S>>;

/** The callable methods, grouped as declared: `api.projects.create({ name })`. */
export type ApiMethods = { [G in ApiGroup]: { [M in keyof Methods[G]]: ClientFunction<Methods[G][M]> } };

export type Unsubscribe = () => void;
export type ApiEventListeners = {
  [E in ApiEventName]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe;
};

/** What a back end implements: each handler gets the already-validated (parsed) input. */
export type ApiHandlers = {
  -readonly [G in ApiGroup]: {
    -readonly [M in keyof Methods[G]]: (input: z.output<InputOf<Methods[G][M]>>) => Promise<OutputOf<Methods[G][M]>> | OutputOf<Methods[G][M]>;
  };
};

/** Dotted method name, e.g. 'projects.create': the one key used on every wire. */
export type ApiMethodName = { [G in ApiGroup]: `${G}.${keyof Methods[G] & string}` }[ApiGroup];

/** A file the user picked or dropped, with the folder-relative path it had when a folder was dropped. */
export interface FileToStage {
  file: File;
  /** e.g. "holiday/beach.jpg"; defaults to file.name. */
  relativePath?: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * The object the renderer uses (window.studio in Electron, the WebSocket client in browser mode).
 * Besides the contract's methods and events it has the few transport-specific helpers.
 */
export interface StudioApi extends ApiMethods {
  readonly mode: 'electron' | 'browser';
  readonly events: ApiEventListeners;
  /** URL usable in <img src> for a blob (image or thumbnail) by its sha256. */
  blobUrl(sha256: string): string;
  /**
   * Makes dropped/picked files importable: in Electron returns their real paths; in browser mode uploads the
   * bytes into <dataDir>/staging/. The result goes straight into `imports.start({ projectId, sources })`.
   */
  stageFiles(files: FileToStage[]): Promise<ImportSource[]>;
  readonly connection: {
    readonly state: ConnectionState;
    onChange(listener: (state: ConnectionState) => void): Unsubscribe;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/** Everything an API call can reject with. Plain data, so it crosses IPC and JSON unchanged. */
export type ApiErrorData =
  | {
      code: 'invalid_input';
      method: string;
      /** Where in the input the first problem is, e.g. ['sources', 0, 'path']; [] for the input itself. */
      path: (string | number)[];
      expected: string;
      received: string;
      message: string;
      issues: { path: (string | number)[]; message: string }[];
    }
  | { code: 'not_found' | 'conflict' | 'unknown_method' | 'internal' | 'disconnected'; method: string; message: string };

export type ApiErrorCode = ApiErrorData['code'];

/** What clients reject with: an Error (so stacks and `instanceof Error` work) carrying the typed data. */
export class StudioApiError extends Error {
  override readonly name = 'StudioApiError';
  constructor(readonly data: ApiErrorData) {
    super(data.message);
  }
  get code(): ApiErrorCode {
    return this.data.code;
  }
}

export function isApiErrorData(value: unknown): value is ApiErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown };
  return typeof candidate.code === 'string' && typeof candidate.message === 'string';
}

// ---------------------------------------------------------------------------------------------------------
// Enumerating the contract (adapters and tests walk these instead of listing names by hand)

export interface MethodEntry {
  name: ApiMethodName;
  group: ApiGroup;
  key: string;
  input: z.ZodType;
  /** Set on start calls: the kind of job they answer with. */
  jobKind?: JobKind;
}

export const methodEntries: readonly MethodEntry[] = Object.entries(apiMethods).flatMap(([group, methods]) =>
  Object.entries(methods as Record<string, MethodSpec<z.ZodType, unknown>>).map(([key, spec]) => ({
    name: `${group}.${key}` as ApiMethodName,
    group: group as ApiGroup,
    key,
    input: spec.input,
    ...(spec.jobKind ? { jobKind: spec.jobKind } : {}),
  })),
);

export const eventNames = Object.keys(apiEvents) as ApiEventName[];

const methodsByName = new Map(methodEntries.map((entry) => [entry.name as string, entry]));

export function findMethod(name: string): MethodEntry | undefined {
  return methodsByName.get(name);
}
