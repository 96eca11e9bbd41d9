import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The files of a diffusers ONNX export that our pipelines read, relative to the model folder. */
export const DIFFUSERS_ONNX_FILES = {
  modelIndex: 'model_index.json',
  textEncoder: 'text_encoder/model.onnx',
  unet: 'unet/model.onnx',
  vaeEncoder: 'vae_encoder/model.onnx',
  vaeDecoder: 'vae_decoder/model.onnx',
  vocab: 'tokenizer/vocab.json',
  merges: 'tokenizer/merges.txt',
  schedulerConfig: 'scheduler/scheduler_config.json',
} as const;

export type DiffusersOnnxFile = keyof typeof DIFFUSERS_ONNX_FILES;

/** Folders an ONNX export may contain; other top-level entries (safetensors, flax weights) are never needed. */
export const DIFFUSERS_ONNX_FOLDERS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder', 'tokenizer', 'scheduler', 'feature_extractor', 'safety_checker'];

export interface DiffusersOnnxLayout {
  dir: string;
  /** Absolute paths of the required files. */
  files: Record<DiffusersOnnxFile, string>;
  /** model_index.json's "_class_name", e.g. "OnnxStableDiffusionPipeline"; undefined when absent. */
  pipelineClass: string | undefined;
  modelIndex: Record<string, unknown>;
}

/**
 * Checks that a folder is a diffusers ONNX export we can load, without opening any session.
 * Throws an error naming the first missing or malformed file.
 */
export async function checkDiffusersOnnxLayout(dir: string): Promise<DiffusersOnnxLayout> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`model folder ${dir} does not exist or is not a folder`);
  const files = {} as Record<DiffusersOnnxFile, string>;
  for (const [key, relative] of Object.entries(DIFFUSERS_ONNX_FILES) as [DiffusersOnnxFile, string][]) {
    const path = join(dir, relative);
    if (!existsSync(path)) {
      throw new Error(`${dir} is not a diffusers ONNX model folder: missing ${relative}`);
    }
    if (statSync(path).size === 0) throw new Error(`${dir}: ${relative} is empty`);
    files[key] = path;
  }
  const modelIndex = await readJsonObject(files.modelIndex, DIFFUSERS_ONNX_FILES.modelIndex);
  await readJsonObject(files.vocab, DIFFUSERS_ONNX_FILES.vocab);
  const scheduler = await readJsonObject(files.schedulerConfig, DIFFUSERS_ONNX_FILES.schedulerConfig);
  if (typeof scheduler['_class_name'] !== 'string') {
    throw new Error(`${files.schedulerConfig}: field "_class_name" is missing`);
  }
  const className = modelIndex['_class_name'];
  return { dir, files, modelIndex, pipelineClass: typeof className === 'string' ? className : undefined };
}

export async function readJsonObject(path: string, label = path): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${label} (${path}) is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${label} (${path}) must be a JSON object`);
  return parsed as Record<string, unknown>;
}
