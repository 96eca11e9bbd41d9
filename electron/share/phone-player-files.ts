import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SharedFile } from './share-server';

/** onnxruntime-web files the player loads: the WebGPU build and its WASM runtime (which also runs the CPU EP). */
const ORT_WEB_FILES = ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
const PLAYER_FILES = ['index.html', 'player.js', 'player.css'];

export interface PhonePlayerSources {
  /** Folder of resources/phone-player (index.html, player.js, player.css). */
  playerDir: string;
  /** onnxruntime-web's dist folder. */
  ortWebDir: string;
}

/** Where the player and onnxruntime-web live: next to the sources in development, under resources when packaged. */
export function locatePhonePlayer(resourcesDir = findResourcesDir()): PhonePlayerSources {
  const playerDir = join(resourcesDir, 'phone-player');
  const packagedOrt = join(playerDir, 'ort');
  const ortWebDir = existsSync(join(packagedOrt, ORT_WEB_FILES[0]!)) ? packagedOrt : dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/webgpu')));
  return { playerDir, ortWebDir };
}

/**
 * The exact routes the share server hands out for one exported bundle: the player page, onnxruntime-web, the
 * bundle's manifest and model, and the .zip download.
 */
export function phonePlayerFiles(sources: PhonePlayerSources, bundle: { manifestPath: string; modelPath: string; zipPath: string }): SharedFile[] {
  return [
    ...PLAYER_FILES.map((name) => ({ route: name, path: join(sources.playerDir, name) })),
    ...ORT_WEB_FILES.map((name) => ({ route: `ort/${name}`, path: join(sources.ortWebDir, name) })),
    { route: 'manifest.json', path: bundle.manifestPath },
    { route: 'model.onnx', path: bundle.modelPath },
    { route: 'bundle.zip', path: bundle.zipPath },
  ];
}

function findResourcesDir(): string {
  // Development and CLI: <repo>/resources. Packaged Electron app: process.resourcesPath/resources.
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'resources', 'phone-player'))) return join(packaged, 'resources');
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');
}
