/**
 * What a packaged E2GAN Studio ships, declared once. Electron Forge (forge.config.ts: `npm start`,
 * `npm run package`) and electron-builder (electron-builder.config.ts: the installers) both read this module,
 * so the two packagers cannot drift apart on the asar contents, the unpacked native modules, the resources or
 * the hardening.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

export const APP_ID = 'com.e2gan.studio';
export const PRODUCT_NAME = 'E2GAN Studio';
export const EXECUTABLE_NAME = 'e2gan-studio';

/**
 * Project paths that go into app.asar besides the production node_modules (both packagers add those). The
 * window icon is read from app.getAppPath()/resources/icons/icon.png.
 */
export const APP_FOLDERS = ['dist/electron', 'dist/renderer'];
export const APP_FILES = ['package.json', 'resources/icons/icon.png'];
/** Never in the asar: source maps. */
export const EXCLUDED_EXTENSIONS = ['.map'];

/**
 * onnxruntime-node ships its native libraries for every OS and architecture (about 290 MB); a package keeps
 * only its own (45 MB on Linux x64). `platform` and `arch` are Node's names (process.platform, process.arch).
 */
export function foreignOnnxRuntimeBinaries(platform: string, arch: string): string[] {
  const binaries = 'node_modules/onnxruntime-node/bin/napi-v6';
  return [`${binaries}/!(${platform})/**`, `${binaries}/${platform}/!(${arch})/**`];
}

/** Native code cannot be loaded from inside an asar archive: these stay in app.asar.unpacked. */
export const ASAR_UNPACK = ['**/*.node', '**/node_modules/sharp/**', '**/node_modules/@img/**', '**/node_modules/onnxruntime-node/bin/**'];

/** The native modules rebuilt for Electron's ABI at package time. */
export const NATIVE_MODULES = ['better-sqlite3', 'onnxruntime-node', 'sharp'];

/** One folder of shipped resources: `from` (relative to the project) is copied to resources/<to>. */
export interface ShippedResource {
  from: string;
  to: string;
  /** Only these files of `from`; every file when absent. */
  files?: readonly string[];
}

/**
 * The app reads these at process.resourcesPath/resources (native-models/e2gan/shipped-base.ts,
 * electron/share/phone-player-files.ts): the base model training starts from, the phone player with the
 * onnxruntime-web build it loads, the demo photos and the icons.
 */
export const SHIPPED_RESOURCES: readonly ShippedResource[] = [
  { from: 'resources/base-model', to: 'base-model' },
  { from: 'resources/phone-player', to: 'phone-player' },
  {
    // onnxruntime-web is a devDependency: vite bundles it into the renderer, and the player's files come from here.
    from: 'node_modules/onnxruntime-web/dist',
    to: 'phone-player/ort',
    // The files electron/share/phone-player-files.ts serves under ort/ (ORT_WEB_FILES there).
    files: ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'],
  },
  { from: 'resources/samples', to: 'samples' },
  { from: 'resources/icons', to: 'icons', files: ['icon.png', 'icon.icns', 'icon.ico'] },
];

/** Where the resources are staged before packaging; both packagers copy this folder to <resourcesPath>/resources. */
export const STAGED_RESOURCES_DIR = 'out/staged-resources/resources';

/** Copies SHIPPED_RESOURCES into a fresh STAGED_RESOURCES_DIR; returns the staged folder's absolute path. */
export async function stageResources(projectDir: string): Promise<string> {
  const stageDir = path.join(projectDir, STAGED_RESOURCES_DIR);
  await rm(stageDir, { recursive: true, force: true });
  for (const resource of SHIPPED_RESOURCES) {
    const from = path.join(projectDir, resource.from);
    const to = path.join(stageDir, resource.to);
    await mkdir(to, { recursive: true });
    if (!resource.files) {
      await cp(from, to, { recursive: true, errorOnExist: true, force: false });
      continue;
    }
    for (const file of resource.files) {
      await cp(path.join(from, file), path.join(to, file), { errorOnExist: true, force: false }).catch((error: unknown) => {
        throw new Error(`packaging: ${resource.from}/${file} is missing (${error instanceof Error ? error.message : String(error)})`);
      });
    }
  }
  return stageDir;
}

export const ICONS = {
  linux: 'resources/icons/icon.png',
  mac: 'resources/icons/icon.icns',
  win: 'resources/icons/icon.ico',
};

/**
 * Electron fuses (https://www.electronjs.org/docs/latest/tutorial/fuses), flipped in the packaged binary:
 * the app cannot be turned into a plain Node (ELECTRON_RUN_AS_NODE), NODE_OPTIONS and --inspect are ignored,
 * and only an app.asar whose integrity matches is loaded. Names follow electron-builder's `electronFuses`.
 */
export const ELECTRON_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** The same fuses as @electron/fuses' wire indexes (FuseV1Options order), for Forge's hook. */
export const FUSE_WIRE_ORDER = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const satisfies readonly (keyof typeof ELECTRON_FUSES)[];

/** macOS: the live preview's webcam needs a usage string, and the camera entitlement under the hardened runtime. */
export const CAMERA_USAGE_DESCRIPTION = 'E2GAN Studio uses the camera only for the live preview of an effect you are training.';
export const MAC_ENTITLEMENTS = 'packaging/entitlements.mac.plist';

/**
 * electron-builder's `files` for one target OS: the app file set minus the other platforms' onnxruntime
 * libraries. Given per platform, and only there: electron-builder turns a root `files` list into a separate
 * matcher, and a platform list of exclusions alone would then mean "everything but these". ${arch} is expanded
 * per build; ${platform} would be the building machine's, so the OS is spelled out.
 */
export function builderFilePatterns(nodePlatform: 'linux' | 'darwin' | 'win32'): string[] {
  return [
    ...APP_FILES,
    ...APP_FOLDERS.map((folder) => `${folder}/**/*`),
    ...EXCLUDED_EXTENSIONS.map((extension) => `!**/*${extension}`),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: '${arch}' is electron-builder's file-pattern macro, expanded by electron-builder
    ...foreignOnnxRuntimeBinaries(nodePlatform, '${arch}').map((pattern) => `!**/${pattern}`),
  ];
}

/** Whether a packager-style path ('/node_modules/...') is another platform's onnxruntime-node library. */
function isForeignOnnxRuntimeBinary(file: string, platform: string, arch: string): boolean {
  const match = /^\/node_modules\/onnxruntime-node\/bin\/napi-v6\/([^/]+)(?:\/([^/]+))?/.exec(file);
  if (!match) return false;
  return match[1] !== platform || (match[2] !== undefined && match[2] !== arch);
}

/**
 * Forge's `ignore`: true for every project path (packager style, '/dist/electron/main.cjs') that stays out.
 * Forge packages for the machine it runs on, hence the default platform and arch.
 */
export function forgeIgnores(file: string, platform: string = process.platform, arch: string = process.arch): boolean {
  if (file === '') return false;
  if (EXCLUDED_EXTENSIONS.some((extension) => file.endsWith(extension))) return true;
  if (isForeignOnnxRuntimeBinary(file, platform, arch)) return true;
  const kept = ['/node_modules', ...APP_FOLDERS.map((folder) => `/${folder}`), ...APP_FILES.map((name) => `/${name}`)];
  return !kept.some((keep) => file === keep || file.startsWith(`${keep}/`) || keep.startsWith(`${file}/`));
}

/** @electron/asar's `unpack` takes one minimatch pattern (matched on base names too): the list as a brace set. */
export function forgeAsarUnpackPattern(): string {
  return `**/{${ASAR_UNPACK.map((pattern) => pattern.replace(/^\*\*\//, '')).join(',')}}`;
}
