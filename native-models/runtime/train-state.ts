/**
 * Runs a compiled training step again and again, feeding each step's new parameters and optimizer moments
 * back as the next step's inputs. On WebGPU that state never leaves the device (gpu-buffer outputs fed
 * straight back); on other providers it is plain CPU tensors.
 */
import type { ExecutionProviderName } from './execution-providers';
import { DeviceReader } from './device-readback';
import { openSession, type Feeds, type OpenSessionOptions, type ProviderAttempt, type RuntimeSession } from './session';
import { createTensor, isOnDevice, scalar, toFloat32Array, zeros, type Tensor } from './tensor';

export interface StateBinding {
  /** Graph input that receives the current value. */
  input: string;
  /** Graph output that carries the value for the next step. */
  output: string;
  shape: number[];
  /** 'zeros' for optimizer moments; 'given' for parameters whose initial values the caller supplies. */
  init: 'zeros' | 'given';
}

export interface DataInput {
  name: string;
  shape: number[];
}

/**
 * Plain data describing a step graph (structured-clone safe, so it crosses to the compute worker).
 * All state, data and metric tensors are float32.
 */
export interface StepProgram {
  model: Uint8Array;
  state: StateBinding[];
  data: DataInput[];
  /** Scalar float32 inputs fed every step. */
  learningRateInput: string;
  stepInput: string;
  /** Scalar outputs read back every step (losses, gradient norm, ...). */
  metrics: string[];
}

export interface TrainStateOptions extends Pick<OpenSessionOptions, 'executionProviders' | 'intraOpNumThreads' | 'graphOptimizationLevel' | 'allowSpinning'> {
  /** Keep state on the device between steps when the provider supports it (default true). */
  keepStateOnDevice?: boolean;
  /**
   * Steps already taken, when resuming from a checkpoint (default 0). Pass the moments saved by read() in
   * `initial` too, so Adam's bias correction and moments continue exactly where they stopped.
   */
  startStep?: number;
}

export interface StepResult {
  step: number;
  metrics: Record<string, number>;
  ms: number;
}

export function validateStepProgram(program: StepProgram, session: RuntimeSession): void {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const wantInputs = [...program.state.map((s) => s.input), ...program.data.map((d) => d.name), program.learningRateInput, program.stepInput];
  const wantOutputs = [...program.state.map((s) => s.output), ...program.metrics];
  const missingIn = wantInputs.filter((n) => !inputs.has(n));
  const missingOut = wantOutputs.filter((n) => !outputs.has(n));
  if (missingIn.length || missingOut.length) {
    throw new Error(`step program does not match its graph: missing inputs [${missingIn.join(', ')}], missing outputs [${missingOut.join(', ')}]`);
  }
  const extra = session.inputNames.filter((n) => !wantInputs.includes(n));
  if (extra.length) throw new Error(`step program leaves graph inputs unfed: ${extra.join(', ')}`);
}

export class TrainState {
  private stepCount = 0;
  private disposed = false;

  private constructor(
    readonly program: StepProgram,
    private readonly session: RuntimeSession,
    private readonly reader: DeviceReader,
    private state: Map<string, Tensor>,
  ) {}

  /**
   * Opens the step graph and sets up the initial state. `initial` holds every 'given' binding by input name;
   * moments start at zero.
   */
  static async create(program: StepProgram, initial: Record<string, Float32Array>, options: TrainStateOptions = {}): Promise<TrainState> {
    const keepOnDevice = options.keepStateOnDevice ?? true;
    const session = await openSession(program.model, {
      executionProviders: options.executionProviders,
      intraOpNumThreads: options.intraOpNumThreads,
      graphOptimizationLevel: options.graphOptimizationLevel,
      // Training runs for minutes beside a UI: sleeping idle threads leave it the CPU (and measured faster
      // under contention in bench:train-step).
      allowSpinning: options.allowSpinning ?? false,
      deviceOutputs: keepOnDevice ? program.state.map((s) => s.output) : false,
    });
    try {
      validateStepProgram(program, session);
      const state = new Map<string, Tensor>();
      for (const binding of program.state) {
        const values = initial[binding.input];
        if (!values) {
          if (binding.init === 'given') throw new Error(`TrainState: no initial value for '${binding.input}'`);
          state.set(binding.input, zeros('float32', binding.shape));
          continue;
        }
        const expected = binding.shape.reduce((a, b) => a * b, 1);
        if (values.length !== expected) {
          throw new Error(`TrainState: initial value for '${binding.input}' has ${values.length} values, expected [${binding.shape.join(', ')}] = ${expected}`);
        }
        // Copy so the caller's array and the running state never alias.
        state.set(binding.input, createTensor('float32', Float32Array.from(values), binding.shape));
      }
      const unknown = Object.keys(initial).filter((k) => !program.state.some((s) => s.input === k));
      if (unknown.length) throw new Error(`TrainState: initial values for unknown state: ${unknown.join(', ')}`);
      const startStep = options.startStep ?? 0;
      if (!Number.isInteger(startStep) || startStep < 0) throw new Error(`TrainState: startStep must be an integer >= 0, got ${startStep}`);
      const trainState = new TrainState(program, session, new DeviceReader(session.executionProvider), state);
      trainState.stepCount = startStep;
      return trainState;
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  get executionProvider(): ExecutionProviderName {
    return this.session.executionProvider;
  }

  get providerAttempts(): readonly ProviderAttempt[] {
    return this.session.providerAttempts;
  }

  /** True when the parameters and moments live on the accelerator between steps. */
  get stateOnDevice(): boolean {
    return [...this.state.values()].some(isOnDevice);
  }

  get step(): number {
    return this.stepCount;
  }

  /** Runs one step on a batch; the new state replaces the old (old device buffers are freed). */
  async runStep(data: Record<string, Tensor>, learningRate: number): Promise<StepResult> {
    if (this.disposed) throw new Error('TrainState: runStep() after release()');
    const started = performance.now();
    const feeds: Feeds = {};
    for (const input of this.program.data) {
      const tensor = data[input.name];
      if (!tensor) throw new Error(`TrainState: batch is missing '${input.name}'`);
      feeds[input.name] = tensor;
    }
    for (const [name, tensor] of this.state) feeds[name] = tensor;
    feeds[this.program.learningRateInput] = scalar('float32', learningRate);
    // Adam's bias correction uses the 1-based step number.
    feeds[this.program.stepInput] = scalar('float32', this.stepCount + 1);
    const out = await this.session.run(feeds);
    const next = new Map<string, Tensor>();
    for (const binding of this.program.state) next.set(binding.input, out[binding.output]!);
    for (const old of this.state.values()) if (isOnDevice(old)) old.dispose();
    this.state = next;
    this.stepCount += 1;
    const metrics: Record<string, number> = {};
    for (const name of this.program.metrics) metrics[name] = toFloat32Array(await this.reader.read(out[name]!))[0]!;
    return { step: this.stepCount, metrics, ms: performance.now() - started };
  }

  /**
   * The live tensor of a state entry (on the device when state is kept there), e.g. to feed another step
   * graph of the same provider without a copy. Valid until the next runStep() or release().
   */
  peek(name: string): Tensor {
    const tensor = this.state.get(name);
    if (!tensor) throw new Error(`TrainState: no state named '${name}' (have ${[...this.state.keys()].join(', ')})`);
    return tensor;
  }

  /** Current values of state entries (by input name; all by default), copied to the CPU. */
  async read(names?: readonly string[]): Promise<Record<string, Float32Array>> {
    if (this.disposed) throw new Error('TrainState: read() after release()');
    const result: Record<string, Float32Array> = {};
    for (const name of names ?? [...this.state.keys()]) {
      const tensor = this.state.get(name);
      if (!tensor) throw new Error(`TrainState: no state named '${name}' (have ${[...this.state.keys()].join(', ')})`);
      result[name] = toFloat32Array(await this.reader.read(tensor));
    }
    return result;
  }

  async release(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const tensor of this.state.values()) if (isOnDevice(tensor)) tensor.dispose();
    this.state.clear();
    await this.reader.release();
    await this.session.release();
  }
}
