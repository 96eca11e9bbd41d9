/// <reference types="vite/client" />
/**
 * Runs the phone-format model (RGBA uint8 NHWC in and out) with onnxruntime-web off the UI thread: a session
 * run on WASM takes tens of milliseconds, which would drop frames and delay clicks if it ran in the page.
 */
import * as ort from 'onnxruntime-web/webgpu';
// The bundle build embeds the JS glue; only the .wasm binary is a separate file, emitted by vite as an asset
// next to the renderer build so it is served from 'self' (the CSP allows nothing remote).
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { ModelInfo, PreviewBackend, RgbaFrame, WorkerRequest, WorkerResponse } from './protocol';

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
// Threads need a cross-origin-isolated page (COEP), which the renderer is not; one thread avoids a silent
// fallback and a console warning.
ort.env.wasm.numThreads = 1;

let session: ort.InferenceSession | null = null;
let info: ModelInfo | null = null;

async function createSession(model: Uint8Array, backends: readonly PreviewBackend[]) {
  const failures: string[] = [];
  for (const backend of backends) {
    if (backend === 'webgpu' && !('gpu' in navigator)) {
      failures.push('webgpu: not available here');
      continue;
    }
    try {
      const created = await ort.InferenceSession.create(model, { executionProviders: [backend], graphOptimizationLevel: 'all' });
      return { created, backend, failures };
    } catch (error) {
      failures.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no backend could load the model (${failures.join('; ')})`);
}

function fixedSize(created: ort.InferenceSession, inputName: string): { width: number; height: number } {
  const meta = created.inputMetadata.find((entry) => entry.name === inputName);
  const shape = meta?.isTensor ? meta.shape : [];
  const [, height, width, channels] = shape;
  if (shape.length !== 4 || typeof height !== 'number' || typeof width !== 'number' || channels !== 4) {
    throw new Error(`model input "${inputName}": expected a fixed [1, height, width, 4] RGBA shape, got [${shape.join(', ')}]`);
  }
  return { width, height };
}

async function load(request: Extract<WorkerRequest, { type: 'load' }>): Promise<void> {
  const { created, backend, failures } = await createSession(new Uint8Array(request.model), request.backends);
  const inputName = created.inputNames[0];
  const outputName = created.outputNames[0];
  if (!inputName || !outputName) throw new Error('model has no input or no output');
  const size = fixedSize(created, inputName);
  await session?.release();
  session = created;
  info = { backend, inputName, outputName, ...size };
  scope.postMessage({ type: 'loaded', requestId: request.requestId, info, failures });
}

async function run(request: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  if (!session || !info) throw new Error('no model loaded yet');
  const { frame } = request;
  if (frame.width !== info.width || frame.height !== info.height) {
    throw new Error(`frame is ${frame.width}x${frame.height}, the model expects ${info.width}x${info.height}`);
  }
  const started = performance.now();
  const input = new ort.Tensor('uint8', new Uint8Array(frame.pixels), [1, info.height, info.width, 4]);
  const outputs = await session.run({ [info.inputName]: input });
  const output = outputs[info.outputName];
  if (!output) throw new Error(`model produced no "${info.outputName}"`);
  const data = (await output.getData()) as Uint8Array;
  const pixels = data.slice().buffer;
  const result: RgbaFrame = { width: info.width, height: info.height, pixels };
  scope.postMessage({ type: 'result', requestId: request.requestId, frame: result, millis: performance.now() - started }, [pixels]);
  input.dispose();
  output.dispose();
}

scope.onmessage = (event) => {
  const request = event.data;
  const work = request.type === 'load' ? load(request) : run(request);
  work.catch((error: unknown) => {
    scope.postMessage({ type: 'error', requestId: request.requestId, message: error instanceof Error ? error.message : String(error) });
  });
};
