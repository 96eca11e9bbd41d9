import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ExecutionProviderName, ProviderProbeResult } from '../../native-models/runtime/index';
import { resolveDataDir } from '../paths';

export interface ExecutionProviderCheck {
  name: string;
  available: boolean;
  error?: string;
  ms: number;
  /** The GPU (or CPU) the provider would run on, as the OS and drivers describe it; absent when none. */
  adapter?: string;
  /** Further adapters the provider could use. */
  otherAdapters: string[];
  /** How the adapter was chosen, or why there is none. */
  adapterNote: string;
}

export interface Diagnostics {
  app: { name: string; version: string };
  node: string;
  electron: {
    /** Version of the installed `electron` package (null when it is not installed). */
    installed: string | null;
    /** process.versions.electron when this code runs inside Electron, else null. */
    running: string | null;
  };
  platform: string;
  arch: string;
  dataDir: string;
  /** 'E2GAN_STUDIO_HOME' when the variable chose the folder, 'default' for the OS user-data folder. */
  dataDirSource: 'E2GAN_STUDIO_HOME' | 'default';
  dataDirExists: boolean;
  /** Names of the onnxruntime execution providers that opened a session and computed correctly here. */
  executionProviders: string[];
  executionProviderChecks: ExecutionProviderCheck[];
}

export interface DiagnosticsOptions {
  env?: NodeJS.ProcessEnv;
  /** Probe only these providers (default: the platform's chain, which always includes cpu). */
  providers?: string[];
  /**
   * Runs the probe somewhere else. The default probes on the calling thread, which is right for the CLI; the
   * app's main process must not (session.run blocks its thread), so it passes e.g. a ComputeClient's probe.
   */
  probe?: (candidates: ExecutionProviderName[] | undefined) => Promise<ProviderProbeResult[]>;
}

/** What `e2gan doctor` prints and the app's About panel can show. Creates nothing on disk. */
export async function collectDiagnostics(options: DiagnosticsOptions = {}): Promise<Diagnostics> {
  const env = options.env ?? process.env;
  const dataDir = resolveDataDir({ env });
  const app = readAppPackage();
  // Loaded on demand: onnxruntime-node is large and only this check needs it.
  const runtime = await import('../../native-models/runtime/index');
  const candidates = options.providers?.map((name) => {
    if (!runtime.isExecutionProviderName(name)) {
      throw new Error(`unknown execution provider '${name}' (expected one of ${runtime.EXECUTION_PROVIDER_NAMES.join(', ')})`);
    }
    return name;
  });
  const checks = options.probe ? await options.probe(candidates) : await runtime.probeExecutionProviders(candidates ? { candidates } : {});
  // Adapter names come from the OS and driver files, not ORT, so they are read here on the calling thread.
  const adapters = runtime.describeProviderAdapters(checks.map((check) => check.name));
  return {
    app,
    node: process.version,
    electron: { installed: installedElectronVersion(), running: process.versions.electron ?? null },
    platform: process.platform,
    arch: process.arch,
    dataDir,
    dataDirSource: env.E2GAN_STUDIO_HOME?.trim() ? 'E2GAN_STUDIO_HOME' : 'default',
    dataDirExists: existsSync(dataDir),
    executionProviders: checks.filter((check) => check.available).map((check) => check.name),
    executionProviderChecks: checks.map((check, i) => ({
      name: check.name,
      available: check.available,
      ms: Math.round(check.ms),
      ...(check.error ? { error: check.error } : {}),
      ...(adapters[i]!.adapter ? { adapter: adapters[i]!.adapter } : {}),
      otherAdapters: adapters[i]!.alternatives,
      adapterNote: adapters[i]!.note,
    })),
  };
}

function readAppPackage(): { name: string; version: string } {
  const file = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; productName?: string; version?: string };
  return { name: pkg.productName ?? pkg.name ?? 'E2GAN Studio', version: pkg.version ?? 'unknown' };
}

/** Reads electron/package.json as data: requiring the package itself would look for the (maybe absent) binary. */
function installedElectronVersion(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve('electron/package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
