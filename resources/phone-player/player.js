// The phone page of "Send to phone": runs an exported E2GAN bundle live on the phone camera with
// onnxruntime-web (WebGPU, falling back to WASM). The model takes and returns RGBA uint8 pixels
// (docs/bundle-format.md), so a frame goes canvas → tensor → canvas with no per-pixel JS work.
import * as ort from './ort/ort.webgpu.min.mjs';

ort.env.wasm.wasmPaths = new URL('./ort/', import.meta.url).href;

const $ = (id) => document.getElementById(id);
const ui = {
  name: $('concept-name'),
  prompt: $('concept-prompt'),
  stage: $('stage'),
  input: $('input-canvas'),
  output: $('output-canvas'),
  video: $('camera'),
  start: $('start'),
  flip: $('flip'),
  sideBySide: $('side-by-side'),
  fps: $('fps'),
  backend: $('backend'),
  frames: $('frames'),
  status: $('status'),
};

let session = null;
let manifest = null;
let facingMode = 'environment';
let stream = null;
let running = false;
let frameCount = 0;
let smoothedFrameMs = 0;

function showStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

async function createSession(modelUrl) {
  const failures = [];
  for (const backend of ['webgpu', 'wasm']) {
    if (backend === 'webgpu' && !('gpu' in navigator)) {
      failures.push('webgpu: not available in this browser');
      continue;
    }
    try {
      const created = await ort.InferenceSession.create(modelUrl, { executionProviders: [backend], graphOptimizationLevel: 'all' });
      return { session: created, backend };
    } catch (error) {
      failures.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no execution provider could load the model (${failures.join('; ')})`);
}

async function load() {
  const response = await fetch('manifest.json');
  if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
  manifest = await response.json();
  ui.name.textContent = manifest.concept?.name ?? 'E2GAN concept';
  ui.prompt.textContent = manifest.concept?.prompt ?? '';
  const { width, height } = manifest.input;
  for (const canvas of [ui.input, ui.output]) {
    canvas.width = width;
    canvas.height = height;
  }
  showStatus('Loading the model…');
  const created = await createSession('model.onnx');
  session = created.session;
  ui.backend.textContent = created.backend;
  document.body.dataset.backend = created.backend;
  showStatus('Ready. Tap “Start camera”.');
  ui.start.disabled = false;
}

async function startCamera() {
  stopCamera();
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode, width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  ui.video.srcObject = stream;
  await ui.video.play();
  ui.flip.disabled = false;
  ui.start.textContent = 'Stop camera';
  running = true;
  showStatus('');
  requestAnimationFrame(processFrame);
}

function stopCamera() {
  running = false;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  ui.start.textContent = 'Start camera';
}

async function processFrame() {
  if (!running) return;
  const started = performance.now();
  const { width, height } = manifest.input;
  const context = ui.input.getContext('2d', { willReadFrequently: true });
  // Centre-crop the camera frame to the model's aspect ratio.
  const vw = ui.video.videoWidth,
    vh = ui.video.videoHeight;
  if (vw > 0 && vh > 0) {
    const scale = Math.max(width / vw, height / vh);
    const sw = width / scale,
      sh = height / scale;
    context.drawImage(ui.video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height);
    const feeds = { [manifest.input.name]: new ort.Tensor('uint8', new Uint8Array(pixels.data.buffer), [1, height, width, 4]) };
    try {
      const results = await session.run(feeds);
      const out = results[manifest.output.name];
      const data = out.data instanceof Uint8Array ? out.data : new Uint8Array(await out.getData());
      ui.output.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(data.buffer, data.byteOffset, width * height * 4), width, height), 0, 0);
      frameCount += 1;
      const ms = performance.now() - started;
      smoothedFrameMs = smoothedFrameMs === 0 ? ms : smoothedFrameMs * 0.9 + ms * 0.1;
      ui.fps.textContent = `${(1000 / smoothedFrameMs).toFixed(1)} fps`;
      ui.frames.textContent = String(frameCount);
      document.body.dataset.frames = String(frameCount);
    } catch (error) {
      stopCamera();
      showStatus(`The model failed on a frame: ${error instanceof Error ? error.message : String(error)}`, true);
      return;
    }
  }
  requestAnimationFrame(processFrame);
}

ui.start.addEventListener('click', () => {
  if (running) {
    stopCamera();
    return;
  }
  startCamera().catch((error) => showStatus(`Camera unavailable: ${error instanceof Error ? error.message : String(error)}`, true));
});
ui.flip.addEventListener('click', () => {
  facingMode = facingMode === 'environment' ? 'user' : 'environment';
  startCamera().catch((error) => showStatus(`Camera unavailable: ${error instanceof Error ? error.message : String(error)}`, true));
});
ui.sideBySide.addEventListener('change', () => {
  ui.stage.classList.toggle('side-by-side', ui.sideBySide.checked);
  ui.stage.classList.toggle('single', !ui.sideBySide.checked);
});

load().catch((error) => showStatus(error instanceof Error ? error.message : String(error), true));
