/**
 * Inference sessions with an execution-provider chain. ORT throws when a provider cannot start instead of
 * falling back, so openSession tries each provider of the chain on its own and records why each failed.
 * run() blocks the calling JS thread in onnxruntime-node 1.30: long-running callers use the compute worker.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { providerConfig, resolveProviderChain, supportsDeviceOutputs, type ExecutionProviderName } from './execution-providers';
import type { Tensor } from './tensor';
import { missingVulkanLoaderReason } from './vulkan-loader';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface OpenSessionOptions {
  /** Providers to try in order; 'auto' = the platform chain (accelerators, then cpu). Default ['cpu']. */
  executionProviders?: readonly ExecutionProviderName[] | 'auto';
  graphOptimizationLevel?: GraphOptimizationLevel;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /**
   * Keep outputs on the device between runs (WebGPU only; other providers ignore it): true for every
   * output, or the names of the outputs to keep. Read such outputs with readBack() (tensor-io.ts).
   */
  deviceOutputs?: boolean | readonly string[];
  freeDimensionOverrides?: Record<string, number>;
  /**
   * Let idle intra-op threads spin (ORT's default, true): lower latency on an idle machine, but burns CPU
   * other processes (or the app's UI) could use; false makes them sleep.
   */
  allowSpinning?: boolean;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  enableProfiling?: boolean;
  profileFilePrefix?: string;
  /** Writes the optimized model here (ORT format when the path ends in .ort). */
  optimizedModelFilePath?: string;
}

export interface ProviderAttempt {
  name: ExecutionProviderName;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface ValueInfo {
  name: string;
  isTensor: boolean;
  /** ORT tensor type ('float32', 'int64', ...); undefined for non-tensor values. */
  dtype?: string;
  /** Static sizes as numbers, symbolic ones as names; empty when the model leaves the shape unknown. */
  shape: (number | string)[];
}

export type Feeds = Record<string, Tensor>;
export type Outputs = Record<string, Tensor>;

function describeModel(model: string | Uint8Array): string {
  return typeof model === 'string' ? model : `<${model.byteLength}-byte model>`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 400);
}

function toValueInfo(meta: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!meta.isTensor) return { name: meta.name, isTensor: false, shape: [] };
  return { name: meta.name, isTensor: true, dtype: meta.type, shape: [...meta.shape] };
}

function buildSessionOptions(provider: ExecutionProviderName, options: OpenSessionOptions): ort.InferenceSession.SessionOptions {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [providerConfig(provider)],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
  };
  if (options.intraOpNumThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
  if (options.interOpNumThreads !== undefined) sessionOptions.interOpNumThreads = options.interOpNumThreads;
  if (options.freeDimensionOverrides) sessionOptions.freeDimensionOverrides = options.freeDimensionOverrides;
  if (options.logSeverityLevel !== undefined) sessionOptions.logSeverityLevel = options.logSeverityLevel;
  if (options.enableProfiling) {
    sessionOptions.enableProfiling = true;
    if (options.profileFilePrefix) sessionOptions.profileFilePrefix = options.profileFilePrefix;
  }
  const sessionConfig: Record<string, unknown> = {};
  if (options.optimizedModelFilePath) {
    sessionOptions.optimizedModelFilePath = options.optimizedModelFilePath;
    if (options.optimizedModelFilePath.endsWith('.ort')) sessionConfig['save_model_format'] = 'ORT';
  }
  if (options.allowSpinning !== undefined) {
    sessionConfig['intra_op'] = { allow_spinning: options.allowSpinning ? '1' : '0' };
    sessionConfig['inter_op'] = { allow_spinning: options.allowSpinning ? '1' : '0' };
  }
  if (Object.keys(sessionConfig).length > 0) sessionOptions.extra = { session: sessionConfig };
  if (options.deviceOutputs && supportsDeviceOutputs(provider)) {
    sessionOptions.preferredOutputLocation =
      options.deviceOutputs === true ? 'gpu-buffer' : Object.fromEntries(options.deviceOutputs.map((name) => [name, 'gpu-buffer' as const]));
  }
  return sessionOptions;
}

export class RuntimeSession {
  readonly inputMetadata: readonly ValueInfo[];
  readonly outputMetadata: readonly ValueInfo[];
  private released = false;

  constructor(
    private readonly session: ort.InferenceSession,
    /** The provider the session actually opened on. */
    readonly executionProvider: ExecutionProviderName,
    /** Every provider tried, in order, with the reason each failed. */
    readonly providerAttempts: readonly ProviderAttempt[],
    readonly label: string,
  ) {
    this.inputMetadata = session.inputMetadata.map(toValueInfo);
    this.outputMetadata = session.outputMetadata.map(toValueInfo);
  }

  get inputNames(): string[] {
    return this.inputMetadata.map((m) => m.name);
  }

  get outputNames(): string[] {
    return this.outputMetadata.map((m) => m.name);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Runs the model. `outputs` limits which outputs are computed (all by default). */
  async run(feeds: Feeds, outputs?: readonly string[]): Promise<Outputs> {
    if (this.released) throw new Error(`session ${this.label}: run() after release()`);
    this.checkFeeds(feeds);
    if (outputs) {
      const known = new Set(this.outputNames);
      const unknown = outputs.filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new Error(`session ${this.label}: unknown output(s) ${unknown.join(', ')} (model outputs: ${this.outputNames.join(', ')})`);
      }
      return (await this.session.run(feeds, [...outputs])) as Outputs;
    }
    return (await this.session.run(feeds)) as Outputs;
  }

  /**
   * Stops ORT's profiler (session opened with enableProfiling) and returns the trace it wrote: ORT names the
   * file `<profileFilePrefix>_<timestamp>.json` without telling JS, so the newest match is taken.
   */
  endProfiling(profileFilePrefix: string): string {
    this.session.endProfiling();
    const dir = dirname(resolve(profileFilePrefix));
    const stem = basename(profileFilePrefix);
    const candidates = readdirSync(dir)
      .filter((f) => f.startsWith(`${stem}_`) && f.endsWith('.json'))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (!candidates[0]) throw new Error(`session ${this.label}: no profile file ${stem}_*.json in ${dir} (was it opened with enableProfiling?)`);
    return candidates[0];
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }

  /** Same checks ORT makes, but with an error that names the input, expected and actual type/shape. */
  private checkFeeds(feeds: Feeds): void {
    const expected = new Map(this.inputMetadata.map((m) => [m.name, m]));
    for (const name of Object.keys(feeds)) {
      if (!expected.has(name)) {
        throw new Error(`session ${this.label}: unexpected feed '${name}' (model inputs: ${this.inputNames.join(', ')})`);
      }
    }
    for (const meta of this.inputMetadata) {
      const tensor = feeds[meta.name];
      if (!tensor) throw new Error(`session ${this.label}: missing feed for input '${meta.name}'`);
      if (!meta.isTensor) continue;
      if (meta.dtype && tensor.type !== meta.dtype) {
        throw new Error(`session ${this.label}: input '${meta.name}' expects ${meta.dtype}, got ${tensor.type}`);
      }
      // ORT reports [] both for scalars and for unknown shapes, so only non-empty shapes can be checked.
      if (meta.shape.length === 0) continue;
      const mismatch = meta.shape.length !== tensor.dims.length || meta.shape.some((dim, i) => typeof dim === 'number' && dim >= 0 && dim !== tensor.dims[i]);
      if (mismatch) {
        throw new Error(`session ${this.label}: input '${meta.name}' expects shape [${meta.shape.join(', ')}], got [${tensor.dims.join(', ')}]`);
      }
    }
  }
}

/**
 * Opens a session on the first provider of the chain that works. Throws with every provider's failure
 * when none does.
 */
export async function openSession(model: string | Uint8Array, options: OpenSessionOptions = {}): Promise<RuntimeSession> {
  const chain = resolveProviderChain(options.executionProviders);
  const attempts: ProviderAttempt[] = [];
  for (const provider of chain) {
    const started = performance.now();
    const missingDriver = provider === 'webgpu' ? missingVulkanLoaderReason() : null;
    if (missingDriver) {
      attempts.push({ name: provider, ok: false, error: missingDriver, ms: performance.now() - started });
      continue;
    }
    try {
      const sessionOptions = buildSessionOptions(provider, options);
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
      attempts.push({ name: provider, ok: true, ms: performance.now() - started });
      return new RuntimeSession(session, provider, attempts, describeModel(model));
    } catch (error) {
      attempts.push({ name: provider, ok: false, error: firstLine(error), ms: performance.now() - started });
    }
  }
  throw new OpenSessionError(describeModel(model), attempts);
}

/** No provider of the chain could open the model; `attempts` says why each failed. */
export class OpenSessionError extends Error {
  constructor(
    readonly model: string,
    readonly attempts: readonly ProviderAttempt[],
  ) {
    const reasons = attempts.map((a) => `${a.name}: ${a.error}`).join('; ');
    super(`openSession(${model}): no execution provider could open the model (${reasons})`);
    this.name = 'OpenSessionError';
  }
}
