/**
 * Copies device-resident tensors (WebGPU gpu-buffer outputs) back to the CPU. onnxruntime-node 1.30 aborts
 * the whole process on Tensor.getData() of a gpu-buffer output, so instead the tensor is fed to an
 * Identity session on the same provider whose outputs land on the CPU.
 */
import type { DType } from '../onnx';
import type { ExecutionProviderName } from './execution-providers';
import { SessionCache } from './session-cache';
import { buildIdentityModel } from './small-models';
import { isOnDevice, type Tensor } from './tensor';

export class DeviceReader {
  private readonly models = new Map<string, Uint8Array>();
  private readonly cache = new SessionCache();

  constructor(private readonly provider: ExecutionProviderName) {}

  /** A CPU tensor with the same values; CPU tensors are returned as they are. */
  async read(tensor: Tensor): Promise<Tensor> {
    if (!isOnDevice(tensor)) return tensor;
    const key = `${tensor.type}:${tensor.dims.length}`;
    let model = this.models.get(key);
    if (!model) {
      model = buildIdentityModel(tensor.type as DType, tensor.dims.length);
      this.models.set(key, model);
    }
    const session = await this.cache.get(model, { executionProviders: [this.provider] });
    const out = await session.run({ x: tensor });
    return out['y']!;
  }

  async release(): Promise<void> {
    await this.cache.releaseAll();
  }
}
