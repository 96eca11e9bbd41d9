/**
 * Execution-provider names, per-platform candidate chains and the ORT provider configs we pass.
 * onnxruntime-node throws when any provider in a list fails to initialise instead of falling back, so
 * sessions try one provider at a time (see session.ts).
 */
import type * as ort from 'onnxruntime-node';
import { describeProviderAdapters } from './adapters';
import { EXECUTION_PROVIDER_NAMES, isExecutionProviderName, type ExecutionProviderName } from './provider-names';

// The names live in provider-names.ts (adapters.ts needs them too); re-exported for this module's callers.
export { EXECUTION_PROVIDER_NAMES, isExecutionProviderName, type ExecutionProviderName } from './provider-names';

/**
 * Providers the onnxruntime-node 1.30 binaries ship per OS/arch, accelerators first, cpu last.
 * cuda is left out: its libraries are only present when the install step downloads them, and the
 * studio targets WebGPU/DirectML/CoreML for consumer GPUs.
 */
export function platformProviderChain(platform: NodeJS.Platform = process.platform, arch: string = process.arch): ExecutionProviderName[] {
  if (platform === 'win32' && arch === 'x64') return ['webgpu', 'dml', 'cpu'];
  if (platform === 'darwin' && arch === 'arm64') return ['webgpu', 'coreml', 'cpu'];
  if (platform === 'linux' && arch === 'x64') return ['webgpu', 'cpu'];
  return ['cpu'];
}

/**
 * What 'auto' means on this machine: the platform chain, minus WebGPU when the only Vulkan adapter is a software
 * rasterizer (SwiftShader, lavapipe): training there is ~30x slower than the CPU EP (measured: 20 steps at 32 px,
 * 69 s vs 2 s). An explicit 'webgpu' still gets it.
 */
export function autoProviderChain(): ExecutionProviderName[] {
  const chain = platformProviderChain();
  if (!chain.includes('webgpu') || process.platform !== 'linux') return chain;
  const webgpu = describeProviderAdapters(['webgpu'])[0];
  const softwareOnly = webgpu?.adapter !== undefined && /swiftshader|llvmpipe|lavapipe/i.test(webgpu.adapter) && webgpu.alternatives.length === 0;
  return softwareOnly ? chain.filter((name) => name !== 'webgpu') : chain;
}

/** Normalises a user/chain request: 'auto' becomes the platform chain; unknown names are rejected. */
export function resolveProviderChain(request: readonly string[] | 'auto' | undefined): ExecutionProviderName[] {
  if (request === undefined) return ['cpu'];
  if (request === 'auto') return autoProviderChain();
  if (request.length === 0) throw new Error('executionProviders: empty list (expected at least one provider or "auto")');
  const chain: ExecutionProviderName[] = [];
  for (const name of request) {
    if (!isExecutionProviderName(name)) {
      throw new Error(`executionProviders: unknown provider '${name}' (expected one of ${EXECUTION_PROVIDER_NAMES.join(', ')} or "auto")`);
    }
    if (!chain.includes(name)) chain.push(name);
  }
  return chain;
}

/**
 * The config object handed to ORT for one provider. WebGPU gets NCHW layout: with the default NHWC layout
 * ORT inserts transposes around every conv, and the spike found every node of a train graph placed on
 * WebGPU only with NCHW.
 */
export function providerConfig(name: ExecutionProviderName): ort.InferenceSession.ExecutionProviderConfig {
  if (name === 'webgpu') return { name: 'webgpu', preferredLayout: 'NCHW' } as ort.InferenceSession.ExecutionProviderConfig;
  return name;
}

/** Whether outputs of sessions on this provider may stay on the device (`preferredOutputLocation: 'gpu-buffer'`). */
export function supportsDeviceOutputs(name: ExecutionProviderName): boolean {
  return name === 'webgpu';
}
