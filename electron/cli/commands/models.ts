import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { resolveDataDir } from '../../paths';
import { downloadModel, formatBytes } from '../../../native-models/diffusion/models/hf-download';
import { importModelFolder, listInstalledModels, verifyInstalledModel } from '../../../native-models/diffusion/models/model-store';

/** Diffusion models live in <data folder>/models unless E2GAN_MODELS_DIR or --models-dir says otherwise. */
export function defaultModelsDir(): string {
  return process.env['E2GAN_MODELS_DIR']?.trim() || join(resolveDataDir(), 'models');
}

const modelsDirHelp = `  --models-dir DIR   where models are installed (default: E2GAN_MODELS_DIR or <data folder>/models)`;

const listUsage = `Usage: e2gan models list [--json] [--verify] [--models-dir DIR]

Lists installed diffusion models (diffusers ONNX exports).
  --json             machine-readable output
  --verify           re-hash every file against the model's sha256 manifest
${modelsDirHelp}`;

export const modelsList: CliCommand = {
  path: ['models', 'list'],
  summary: 'List installed diffusion models',
  usage: listUsage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, verify: { type: 'boolean' }, 'models-dir': { type: 'string' } },
      allowPositionals: false,
    });
    const modelsDir = values['models-dir'] ?? defaultModelsDir();
    const models = await listInstalledModels(modelsDir);
    const rows = [];
    for (const model of models) {
      const problems = values.verify && !model.problem ? await verifyInstalledModel(model.dir) : [];
      rows.push({ ...model, problems });
    }
    if (values.json) {
      io.out(
        JSON.stringify(
          rows.map((r) => ({
            name: r.name,
            dir: r.dir,
            pipelineClass: r.pipelineClass ?? null,
            sizeBytes: r.sizeBytes,
            source: r.manifest?.source ?? null,
            problem: r.problem ?? null,
            verifyProblems: r.problems,
          })),
          null,
          2,
        ),
      );
    } else if (rows.length === 0) {
      io.out(`no models in ${modelsDir} (add one with \`e2gan models import DIR\` or \`e2gan models download REPO_ID\`)`);
    } else {
      for (const r of rows) {
        const status = r.problem ? `unusable: ${r.problem}` : r.problems.length ? `CORRUPT: ${r.problems.join('; ')}` : values.verify ? 'verified' : 'ok';
        io.out(`${r.name}  ${r.pipelineClass ?? '?'}  ${formatBytes(r.sizeBytes)}  ${status}`);
      }
    }
    return rows.some((r) => r.problems.length > 0) ? 1 : 0;
  },
};

const importUsage = `Usage: e2gan models import DIR [--name NAME] [--models-dir DIR]

Validates a local diffusers ONNX export (model_index.json, text_encoder/, unet/, vae_encoder/, vae_decoder/,
tokenizer/, scheduler/) and copies it into the models folder with a sha256 manifest.
  --name NAME        installed name (default: the folder's name)
${modelsDirHelp}`;

export const modelsImport: CliCommand = {
  path: ['models', 'import'],
  summary: 'Install a local diffusers ONNX model folder',
  usage: importUsage,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { name: { type: 'string' }, 'models-dir': { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('expected exactly one model folder');
    const model = await importModelFolder(positionals[0]!, values['models-dir'] ?? defaultModelsDir(), values.name ? { name: values.name } : {});
    io.out(`installed ${model.name} (${model.pipelineClass ?? 'unknown pipeline'}, ${formatBytes(model.sizeBytes)}) at ${model.dir}`);
    return 0;
  },
};

const downloadUsage = `Usage: e2gan models download REPO_ID [--revision REV] [--name NAME] [--endpoint URL] [--models-dir DIR]

Downloads a diffusers ONNX export from the Hugging Face Hub (only the ONNX pipeline files). Interrupted
downloads resume where they stopped when run again; every file is checked against the Hub's sha256.
  --revision REV     branch, tag or commit (default main)
  --name NAME        installed name (default: owner--name)
  --endpoint URL     Hub base URL (default: E2GAN_HF_ENDPOINT, HF_ENDPOINT or https://huggingface.co)
Gated or private repos need HF_TOKEN in the environment.
${modelsDirHelp}`;

function progressPrinter(io: CliIo): (p: { file: string; bytesDone: number; bytesTotal: number; fileBytesDone: number; fileBytesTotal: number }) => void {
  let lastTenth = -1;
  let lastFile = '';
  return (p) => {
    const tenth = p.bytesTotal ? Math.floor((p.bytesDone / p.bytesTotal) * 10) : 10;
    if (p.file !== lastFile || tenth !== lastTenth) {
      lastFile = p.file;
      lastTenth = tenth;
      io.out(`[${'#'.repeat(tenth).padEnd(10, '.')}] ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${p.file}`);
    }
  };
}

export const modelsDownload: CliCommand = {
  path: ['models', 'download'],
  summary: 'Download a diffusers ONNX model from the Hugging Face Hub',
  usage: downloadUsage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { revision: { type: 'string' }, name: { type: 'string' }, endpoint: { type: 'string' }, 'models-dir': { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one repo id, e.g. owner/name');
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const model = await downloadModel(positionals[0]!, values['models-dir'] ?? defaultModelsDir(), {
        ...(values.revision ? { revision: values.revision } : {}),
        ...(values.name ? { name: values.name } : {}),
        ...(values.endpoint ? { baseUrl: values.endpoint } : {}),
        signal: controller.signal,
        onProgress: progressPrinter(io),
      });
      io.out(`installed ${model.name} (${model.pipelineClass ?? 'unknown pipeline'}, ${formatBytes(model.sizeBytes)}) at ${model.dir}`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
