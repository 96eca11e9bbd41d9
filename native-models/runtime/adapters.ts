/**
 * Which GPU adapter each execution provider would run on. onnxruntime-node does not report the adapter a
 * session uses, so this reads what each provider's backend chooses from, as the OS and the drivers describe it:
 * on Linux the PCI display devices (/sys) with their driver's model name, and the Vulkan drivers (ICD manifests)
 * that Dawn, ORT's WebGPU backend, can open; on Windows and macOS the OS's list of video controllers. The
 * choice follows the backends' documented defaults: Dawn asks for a high-performance adapter (a discrete GPU
 * before an integrated one before a software rasterizer), DirectML and CUDA take device 0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ExecutionProviderName } from './provider-names';

export type AdapterKind = 'discrete' | 'integrated' | 'software' | 'unknown';

export interface GpuAdapter {
  name: string;
  kind: AdapterKind;
  /** PCI vendor id (0x10de NVIDIA, 0x1002 AMD, 0x8086 Intel), when known. */
  vendorId?: number;
}

export interface ProviderAdapters {
  provider: ExecutionProviderName;
  /** The adapter the provider would use first; undefined when none is usable. */
  adapter?: string;
  /** Other adapters the provider could use. */
  alternatives: string[];
  /** Why there is no adapter, or how it was chosen. */
  note: string;
}

export interface AdapterEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Root of the file system to read /sys, /proc and /usr from (tests point it at a fixture). */
  root: string;
  /** Runs a command and returns its stdout (tests stub it); throws when it fails. */
  run: (command: string, args: string[]) => string;
}

// biome-ignore lint/complexity/useSimpleNumberKeys: PCI vendor ids are written in hex, as lspci and the PCI ID registry show them
const VENDORS: Record<number, string> = { 0x10de: 'NVIDIA', 0x1002: 'AMD', 0x8086: 'Intel', 0x1af4: 'virtio', 0x15ad: 'VMware', 0x1414: 'Microsoft' };

function defaultEnvironment(): AdapterEnvironment {
  return {
    platform: process.platform,
    env: process.env,
    root: '/',
    run: (command, args) => execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }),
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Linux: PCI display controllers (class 0x03xxxx), named by the NVIDIA driver or pci.ids where present. */
export function linuxGpus(root: string): GpuAdapter[] {
  const devices = join(root, 'sys/bus/pci/devices');
  if (!existsSync(devices)) return [];
  const pciIds = readText(join(root, 'usr/share/misc/pci.ids')) ?? readText(join(root, 'usr/share/hwdata/pci.ids'));
  const gpus: GpuAdapter[] = [];
  for (const address of readdirSync(devices).sort()) {
    const cls = readText(join(devices, address, 'class'))?.trim() ?? '';
    if (!cls.startsWith('0x03')) continue;
    const vendorId = Number.parseInt(readText(join(devices, address, 'vendor')) ?? '', 16);
    const deviceId = Number.parseInt(readText(join(devices, address, 'device')) ?? '', 16);
    const nvidiaModel = readText(join(root, 'proc/driver/nvidia/gpus', address, 'information'))
      ?.match(/^Model:\s*(.+)$/m)?.[1]
      ?.trim();
    const name =
      nvidiaModel ??
      pciName(pciIds, vendorId, deviceId) ??
      `${VENDORS[vendorId] ?? `vendor 0x${vendorId.toString(16)}`} GPU (device 0x${deviceId.toString(16).padStart(4, '0')})`;
    // Intel display controllers are integrated; NVIDIA/AMD cards on a PCI slot count as discrete.
    const kind: AdapterKind = vendorId === 0x8086 ? 'integrated' : vendorId === 0x10de || vendorId === 0x1002 ? 'discrete' : 'unknown';
    gpus.push({ name, kind, vendorId });
  }
  return gpus;
}

function pciName(pciIds: string | undefined, vendorId: number, deviceId: number): string | undefined {
  if (!pciIds) return undefined;
  const vendorHex = vendorId.toString(16).padStart(4, '0');
  const deviceHex = deviceId.toString(16).padStart(4, '0');
  const start = pciIds.search(new RegExp(`^${vendorHex}  `, 'm'));
  if (start < 0) return undefined;
  const section = pciIds.slice(start).split('\n');
  const vendor = section[0]!.slice(6).trim();
  for (const line of section.slice(1)) {
    if (!line.startsWith('\t')) break;
    if (line.startsWith(`\t${deviceHex}  `)) return `${vendor} ${line.slice(7).trim()}`;
  }
  return undefined;
}

/** Vulkan driver manifests the loader would read (VK_DRIVER_FILES / VK_ICD_FILENAMES override the folders). */
export function vulkanDrivers(root: string, env: NodeJS.ProcessEnv): { manifest: string; library: string }[] {
  const listed = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES)?.split(':').filter(Boolean);
  const manifests =
    listed ??
    ['usr/share/vulkan/icd.d', 'etc/vulkan/icd.d', 'usr/local/share/vulkan/icd.d'].flatMap((dir) => {
      const path = join(root, dir);
      return existsSync(path)
        ? readdirSync(path)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .map((f) => join(path, f))
        : [];
    });
  const drivers: { manifest: string; library: string }[] = [];
  for (const manifest of manifests) {
    try {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: string } };
      if (parsed.ICD?.library_path) drivers.push({ manifest, library: parsed.ICD.library_path });
    } catch {
      // An unreadable manifest is skipped, as the Vulkan loader does.
    }
  }
  return drivers;
}

function hasVulkanLoader(root: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = [
    ...(env.LD_LIBRARY_PATH?.split(':').filter(Boolean) ?? []),
    join(root, 'usr/lib/x86_64-linux-gnu'),
    join(root, 'usr/lib/aarch64-linux-gnu'),
    join(root, 'usr/lib64'),
    join(root, 'usr/lib'),
  ];
  return dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

/** The adapters a Vulkan driver library exposes, matched to the GPUs found (or a software rasterizer). */
function vulkanAdapters(drivers: { library: string }[], gpus: GpuAdapter[]): GpuAdapter[] {
  const adapters: GpuAdapter[] = [];
  const add = (candidates: GpuAdapter[]) => candidates.forEach((a) => adapters.some((b) => b.name === a.name) || adapters.push(a));
  for (const { library } of drivers) {
    const lib = library.toLowerCase();
    if (lib.includes('swiftshader')) add([{ name: 'SwiftShader (Vulkan on the CPU)', kind: 'software' }]);
    else if (lib.includes('lvp') || lib.includes('lavapipe')) add([{ name: 'llvmpipe (lavapipe, Vulkan on the CPU)', kind: 'software' }]);
    else if (lib.includes('nvidia')) add(gpus.filter((g) => g.vendorId === 0x10de));
    else if (lib.includes('radeon') || lib.includes('amd')) add(gpus.filter((g) => g.vendorId === 0x1002));
    else if (lib.includes('intel')) add(gpus.filter((g) => g.vendorId === 0x8086));
  }
  return adapters;
}

const KIND_ORDER: AdapterKind[] = ['discrete', 'integrated', 'unknown', 'software'];
const byPreference = (a: GpuAdapter, b: GpuAdapter) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);

function windowsGpus(run: AdapterEnvironment['run']): GpuAdapter[] {
  const out = run('powershell.exe', ['-NoProfile', '-Command', '(Get-CimInstance Win32_VideoController).Name']);
  return out
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((name) => ({
      name,
      kind: /microsoft basic|warp/i.test(name) ? 'software' : /intel/i.test(name) && !/arc/i.test(name) ? 'integrated' : 'discrete',
    }));
}

function macGpus(run: AdapterEnvironment['run']): GpuAdapter[] {
  const data = JSON.parse(run('system_profiler', ['SPDisplaysDataType', '-json'])) as { SPDisplaysDataType?: { sppci_model?: string; _name?: string }[] };
  return (data.SPDisplaysDataType ?? []).map((d) => ({ name: d.sppci_model ?? d._name ?? 'unknown GPU', kind: 'integrated' as const }));
}

function choose(provider: ExecutionProviderName, adapters: GpuAdapter[], how: string, none: string): ProviderAdapters {
  const sorted = [...adapters].sort(byPreference);
  if (sorted.length === 0) return { provider, alternatives: [], note: none };
  return { provider, adapter: sorted[0]!.name, alternatives: sorted.slice(1).map((a) => a.name), note: how };
}

/** One entry per provider: the adapter it would use, the others it could, and how that was worked out. */
export function describeProviderAdapters(providers: readonly ExecutionProviderName[], environment: Partial<AdapterEnvironment> = {}): ProviderAdapters[] {
  const e = { ...defaultEnvironment(), ...environment };
  let gpus: GpuAdapter[] = [];
  let gpuError: string | undefined;
  try {
    if (e.platform === 'linux') gpus = linuxGpus(e.root);
    else if (e.platform === 'win32') gpus = windowsGpus(e.run);
    else if (e.platform === 'darwin') gpus = macGpus(e.run);
  } catch (error) {
    gpuError = `could not list the GPUs: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  return providers.map((provider): ProviderAdapters => {
    switch (provider) {
      case 'cpu':
        return { provider, adapter: `${cpus()[0]?.model?.trim() ?? 'CPU'} (${cpus().length} logical cores)`, alternatives: [], note: 'the CPU' };
      case 'webgpu': {
        if (e.platform !== 'linux') return choose(provider, gpus, 'Dawn asks for the high-performance adapter', gpuError ?? 'no GPU found');
        if (!hasVulkanLoader(e.root, e.env)) return { provider, alternatives: [], note: 'no Vulkan loader (libvulkan.so.1): install libvulkan1' };
        const drivers = vulkanDrivers(e.root, e.env);
        if (drivers.length === 0) return { provider, alternatives: [], note: 'no Vulkan driver (ICD manifest) installed' };
        return choose(
          provider,
          vulkanAdapters(drivers, gpus),
          `Dawn (Vulkan) asks for the high-performance adapter; drivers: ${drivers.map((d) => d.library).join(', ')}`,
          `no GPU matches the Vulkan drivers ${drivers.map((d) => d.library).join(', ')}`,
        );
      }
      case 'cuda':
        return choose(
          provider,
          gpus.filter((g) => g.vendorId === 0x10de),
          'CUDA device 0',
          'no NVIDIA GPU found',
        );
      case 'dml':
        if (e.platform !== 'win32') return { provider, alternatives: [], note: 'DirectML exists on Windows only' };
        // Device 0 is the first adapter Windows lists, whatever its kind.
        return gpus[0]
          ? { provider, adapter: gpus[0].name, alternatives: gpus.slice(1).map((g) => g.name), note: 'DirectML device 0 (the first DXGI adapter)' }
          : { provider, alternatives: [], note: gpuError ?? 'no GPU found' };
      case 'coreml':
        return e.platform === 'darwin'
          ? choose(provider, gpus, 'Core ML picks the GPU or Neural Engine per layer', gpuError ?? 'no GPU found')
          : { provider, alternatives: [], note: 'Core ML exists on macOS only' };
    }
  });
}
