/**
 * Worker-thread entry point that owns every ORT session of a compute client. session.run() blocks the JS
 * thread it is called on, so sessions live here and the main thread only exchanges messages.
 * Start it with ComputeClient.start() (compute-client.ts), never directly.
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { ComputeProtocol, ComputeRequest, ComputeRequestKind, ComputeResponse, StateRef, WireTensor } from './compute-protocol';
import { probeExecutionProviders } from './probe';
import type { RuntimeSession } from './session';
import { SessionCache } from './session-cache';
import { createTensor, isOnDevice, type Tensor } from './tensor';
import { TrainState } from './train-state';
import { DeviceReader } from './device-readback';

if (!parentPort) throw new Error('compute-worker.ts must run as a worker thread (use ComputeClient.start())');
const port = parentPort;

// Equal graph bytes + options share one ORT session (e.g. every inference call on the same generator).
const cache = new SessionCache();
const sessions = new Map<number, { session: RuntimeSession; key: string; reader: DeviceReader }>();
const states = new Map<number, TrainState>();
let nextId = 1;

function fromWire(wire: WireTensor): Tensor {
  return createTensor(wire.dtype, wire.data as never, wire.dims);
}

function toWire(tensor: Tensor): WireTensor {
  return { dtype: tensor.type, dims: [...tensor.dims], data: tensor.data } as WireTensor;
}

function isStateRef(entry: WireTensor | StateRef): entry is StateRef {
  return (entry as StateRef).fromState !== undefined;
}

function decodeFeeds(feeds: Record<string, WireTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([name, wire]) => [name, fromWire(wire)]));
}

function lookup<T>(map: Map<number, T>, id: number, what: string): T {
  const entry = map.get(id);
  if (!entry) throw new Error(`compute worker: no ${what} with id ${id} (released or never opened)`);
  return entry;
}

type Handlers = { [K in ComputeRequestKind]: (payload: ComputeProtocol[K]['payload']) => Promise<ComputeProtocol[K]['result']> };

const handlers: Handlers = {
  async ping() {
    return { threadId };
  },
  async probe({ candidates }) {
    return probeExecutionProviders(candidates ? { candidates } : {});
  },
  async openSession({ model, options }) {
    const { session, key } = await cache.acquire(model, options);
    const sessionId = nextId++;
    sessions.set(sessionId, { session, key, reader: new DeviceReader(session.executionProvider) });
    return {
      sessionId,
      executionProvider: session.executionProvider,
      providerAttempts: [...session.providerAttempts],
      inputMetadata: [...session.inputMetadata],
      outputMetadata: [...session.outputMetadata],
    };
  },
  async run({ sessionId, feeds, outputs }) {
    const { session, reader } = lookup(sessions, sessionId, 'session');
    const result = await session.run(decodeFeeds(feeds), outputs);
    const wire: Record<string, WireTensor> = {};
    for (const [name, tensor] of Object.entries(result)) {
      // Device outputs cannot cross threads; hand back CPU copies.
      wire[name] = toWire(isOnDevice(tensor) ? await reader.read(tensor) : tensor);
      if (isOnDevice(tensor)) tensor.dispose();
    }
    return wire;
  },
  async closeSession({ sessionId }) {
    const { key, reader } = lookup(sessions, sessionId, 'session');
    sessions.delete(sessionId);
    await reader.release();
    await cache.releaseRef(key);
    return null;
  },
  async loadTrainStep({ program, initial, options }) {
    const state = await TrainState.create(program, initial, options);
    const stateId = nextId++;
    states.set(stateId, state);
    return { stateId, executionProvider: state.executionProvider, providerAttempts: [...state.providerAttempts] };
  },
  async trainStep({ stateId, data, learningRate }) {
    const feeds: Record<string, Tensor> = {};
    for (const [name, entry] of Object.entries(data)) {
      feeds[name] = isStateRef(entry) ? lookup(states, entry.fromState.stateId, 'train state').peek(entry.fromState.name) : fromWire(entry);
    }
    return lookup(states, stateId, 'train state').runStep(feeds, learningRate);
  },
  async readState({ stateId, names }) {
    return lookup(states, stateId, 'train state').read(names);
  },
  async releaseState({ stateId }) {
    const state = lookup(states, stateId, 'train state');
    states.delete(stateId);
    await state.release();
    return null;
  },
};

// Requests run one at a time: ORT sessions are not meant to be driven concurrently from one thread, and
// ordering keeps train steps deterministic.
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: ComputeRequest) => {
  queue = queue.then(async () => {
    let response: ComputeResponse;
    try {
      const handler = handlers[request.kind] as (payload: unknown) => Promise<unknown>;
      if (!handler) throw new Error(`compute worker: unknown request kind '${String(request.kind)}'`);
      response = { id: request.id, ok: true, result: await handler(request.payload) };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      response = { id: request.id, ok: false, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    port.postMessage(response);
  });
});
