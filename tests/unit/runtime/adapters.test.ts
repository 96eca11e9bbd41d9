import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProviderAdapters, linuxGpus } from '../../../native-models/runtime/adapters';

/** A fake file system root: /sys PCI devices, the NVIDIA driver's /proc entries, Vulkan manifests, a loader. */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'e2gan-adapters-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const pci = (address: string, cls: string, vendor: string, device: string) => ({
  [`sys/bus/pci/devices/${address}/class`]: `${cls}\n`,
  [`sys/bus/pci/devices/${address}/vendor`]: `${vendor}\n`,
  [`sys/bus/pci/devices/${address}/device`]: `${device}\n`,
});

const h200Machine = {
  ...pci('0000:00:01.0', '0x060000', '0x8086', '0x0d57'),
  ...pci('0000:00:02.0', '0x030000', '0x8086', '0x9a49'),
  ...pci('0000:3b:00.0', '0x030200', '0x10de', '0x2335'),
  'proc/driver/nvidia/gpus/0000:3b:00.0/information': 'Model: \t\t NVIDIA H200\nIRQ:   \t\t 42\n',
  'usr/share/vulkan/icd.d/nvidia_icd.json': JSON.stringify({
    file_format_version: '1.0.0',
    ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.3.277' },
  }),
  'usr/lib/x86_64-linux-gnu/libvulkan.so.1': '',
};

describe('describeProviderAdapters (Linux)', () => {
  it('names display controllers only, by the NVIDIA driver model or by vendor and device id', () => {
    expect(linuxGpus(fakeRoot(h200Machine))).toEqual([
      { name: 'Intel GPU (device 0x9a49)', kind: 'integrated', vendorId: 0x8086 },
      { name: 'NVIDIA H200', kind: 'discrete', vendorId: 0x10de },
    ]);
  });

  it('webgpu takes the discrete GPU its Vulkan driver serves; cuda the NVIDIA GPU; cpu the processor', () => {
    const [webgpu, cuda, cpu, dml] = describeProviderAdapters(['webgpu', 'cuda', 'cpu', 'dml'], { platform: 'linux', env: {}, root: fakeRoot(h200Machine) });
    expect(webgpu).toMatchObject({ provider: 'webgpu', adapter: 'NVIDIA H200', alternatives: [] });
    expect(webgpu!.note).toContain('libGLX_nvidia.so.0');
    expect(cuda).toMatchObject({ adapter: 'NVIDIA H200' });
    expect(cpu!.adapter).toMatch(/logical cores/);
    expect(dml).toEqual({ provider: 'dml', alternatives: [], note: 'DirectML exists on Windows only' });
  });

  it('says what is missing: the Vulkan loader, or any driver; VK_ICD_FILENAMES selects a software rasterizer', () => {
    const { 'usr/lib/x86_64-linux-gnu/libvulkan.so.1': _loader, ...noLoader } = h200Machine;
    expect(describeProviderAdapters(['webgpu'], { platform: 'linux', env: {}, root: fakeRoot(noLoader) })[0]).toEqual({
      provider: 'webgpu',
      alternatives: [],
      note: expect.stringContaining('no Vulkan loader'),
    });
    const { 'usr/share/vulkan/icd.d/nvidia_icd.json': _icd, ...noDriver } = h200Machine;
    expect(describeProviderAdapters(['webgpu'], { platform: 'linux', env: {}, root: fakeRoot(noDriver) })[0]).toEqual({
      provider: 'webgpu',
      alternatives: [],
      note: expect.stringContaining('no Vulkan driver'),
    });
    const root = fakeRoot({ ...noDriver, 'opt/swiftshader/icd.json': JSON.stringify({ ICD: { library_path: './libvk_swiftshader.so' } }) });
    const [software] = describeProviderAdapters(['webgpu'], { platform: 'linux', env: { VK_ICD_FILENAMES: join(root, 'opt/swiftshader/icd.json') }, root });
    expect(software).toMatchObject({ adapter: 'SwiftShader (Vulkan on the CPU)' });
  });
});

describe('describeProviderAdapters (Windows, macOS)', () => {
  it('dml takes DXGI adapter 0 and webgpu the high-performance one, from the OS list', () => {
    const run = (command: string) => {
      if (command !== 'powershell.exe') throw new Error(`unexpected ${command}`);
      return 'Intel(R) UHD Graphics 770\r\nNVIDIA GeForce RTX 4070\r\n';
    };
    const [dml, webgpu] = describeProviderAdapters(['dml', 'webgpu'], { platform: 'win32', env: {}, run });
    expect(dml).toMatchObject({ adapter: 'Intel(R) UHD Graphics 770', alternatives: ['NVIDIA GeForce RTX 4070'] });
    expect(webgpu).toMatchObject({ adapter: 'NVIDIA GeForce RTX 4070', alternatives: ['Intel(R) UHD Graphics 770'] });
  });

  it('a failing OS query is reported, not thrown', () => {
    const [webgpu] = describeProviderAdapters(['webgpu'], {
      platform: 'darwin',
      env: {},
      run: () => {
        throw new Error('system_profiler: not found');
      },
    });
    expect(webgpu).toEqual({ provider: 'webgpu', alternatives: [], note: expect.stringContaining('system_profiler: not found') });
  });
});
