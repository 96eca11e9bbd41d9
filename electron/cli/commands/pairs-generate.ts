import { parseArgs } from 'node:util';
import { linesIo, printJson, UsageError, type CliCommand } from '../command';
import { isExecutionProviderName, type ExecutionProviderName } from '../../../native-models/runtime/index';
import { generatePairs } from '../../../native-models/diffusion/pair-generator';
import type { SchedulerKind } from '../../../native-models/diffusion/schedulers/config';
import { isDirectory, listImageFiles } from '../../../native-models/teachers/teach-files';

const usage = `Usage: e2gan pairs generate --model DIR --prompt TEXT --images DIR --out PAIRS_DIR [options]

Edits every photo in --images with a diffusion model (InstructPix2Pix or SD/SD-Turbo img2img, diffusers ONNX
layout) and writes training pairs NAME.input.png + NAME.target.png into --out.
  --model DIR            diffusers ONNX export (see \`e2gan models list\`)
  --prompt TEXT          the edit instruction (InstructPix2Pix) or the target description (img2img)
  --images DIR           folder of photos (not recursive)
  --out DIR              pairs folder (created if missing)
  --steps N              denoising steps (InstructPix2Pix default 20, img2img default 2)
  --seed N               photo i uses seed + i (default 0)
  --guidance X           text guidance (InstructPix2Pix default 7.5, img2img default 0 for turbo models)
  --image-guidance X     InstructPix2Pix image guidance (default 1.5)
  --strength X           img2img strength in (0, 1] (default 0.5)
  --size N               square training size, multiple of 64 (default 512)
  --batch N              photos per UNet batch (default 1)
  --ep LIST              execution providers to try in order, e.g. webgpu,cpu or auto (default cpu)
  --scheduler KIND       sampler over the model's noise schedule: euler, euler-ancestral, ddim, lcm
                         (default: the model's scheduler_config.json)
  --negative TEXT        negative prompt
  --no-quality-guard     keep every output (by default near-identical or unrelated outputs are skipped)
  --json                 print the result as JSON on stdout (progress stays on stderr)`;

function number(value: string | undefined, flag: string, check: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`${flag}: expected ${expected}, got '${value}'`);
  return n;
}

export function parseProviders(value: string | undefined): ExecutionProviderName[] | 'auto' | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto') return 'auto';
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!isExecutionProviderName(name)) throw new UsageError(`--ep: unknown execution provider '${name}' (expected webgpu, dml, coreml, cuda, cpu or auto)`);
  }
  if (names.length === 0) throw new UsageError('--ep: empty list');
  return names as ExecutionProviderName[];
}

const command: CliCommand = {
  path: ['pairs', 'generate'],
  summary: 'Make training pairs by editing photos with a diffusion model',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        prompt: { type: 'string' },
        images: { type: 'string' },
        out: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        guidance: { type: 'string' },
        'image-guidance': { type: 'string' },
        strength: { type: 'string' },
        size: { type: 'string' },
        batch: { type: 'string' },
        ep: { type: 'string' },
        negative: { type: 'string' },
        scheduler: { type: 'string' },
        'no-quality-guard': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    const lines = linesIo(io, values.json);
    for (const flag of ['model', 'prompt', 'images', 'out'] as const) {
      if (!values[flag]) throw new UsageError(`--${flag} is required`);
    }
    const int = (v: string | undefined, flag: string, min: number) => number(v, flag, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);
    const nonNegative = (v: string | undefined, flag: string) => number(v, flag, (n) => n >= 0, 'a number >= 0');
    const steps = int(values.steps, '--steps', 1);
    const seed = int(values.seed, '--seed', 0);
    const size = number(values.size, '--size', (n) => Number.isInteger(n) && n >= 64 && n % 64 === 0, 'a multiple of 64');
    const batchSize = int(values.batch, '--batch', 1);
    const guidanceScale = nonNegative(values.guidance, '--guidance');
    const imageGuidanceScale = nonNegative(values['image-guidance'], '--image-guidance');
    const strength = number(values.strength, '--strength', (n) => n > 0 && n <= 1, 'a number in (0, 1]');
    const executionProviders = parseProviders(values.ep);
    const schedulerKinds: readonly SchedulerKind[] = ['euler', 'euler-ancestral', 'ddim', 'lcm'];
    if (values.scheduler !== undefined && !schedulerKinds.includes(values.scheduler as SchedulerKind)) {
      throw new UsageError(`--scheduler: expected one of ${schedulerKinds.join(', ')}, got '${values.scheduler}'`);
    }
    const schedulerKind = values.scheduler as SchedulerKind | undefined;
    if (!(await isDirectory(values.images!))) throw new Error(`--images: ${values.images} is not a folder`);
    const imagePaths = await listImageFiles(values.images!);
    if (imagePaths.length === 0) throw new Error(`--images: ${values.images} holds no image files (.png, .jpg, .jpeg, .webp)`);

    let lastReported = '';
    // Ctrl-C stops at the next denoising step and still releases the model's sessions.
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    const summary = await generatePairs({
      signal: controller.signal,
      modelDir: values.model!,
      prompt: values.prompt!,
      imagePaths,
      outDir: values.out!,
      ...(values.negative !== undefined ? { negativePrompt: values.negative } : {}),
      ...(steps !== undefined ? { steps } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(guidanceScale !== undefined ? { guidanceScale } : {}),
      ...(imageGuidanceScale !== undefined ? { imageGuidanceScale } : {}),
      ...(strength !== undefined ? { strength } : {}),
      ...(executionProviders !== undefined ? { executionProviders } : {}),
      ...(schedulerKind !== undefined ? { schedulerKind } : {}),
      qualityGuard: !values['no-quality-guard'],
      onModelLoaded: (model) => {
        lines.out(`model: ${model.signatures.kind} (${model.signatures.unet.sampleDtype}), execution provider ${model.executionProviders.unet}`);
        const substituted = model.schedulerConfig.substitutedFrom;
        if (substituted) lines.out(`scheduler: ${substituted} is not implemented; using Euler over the same noise schedule`);
      },
      onFallback: (f) => io.err(`execution provider ${f.from.join(', ')} failed while running (${f.reason}); retrying on ${f.to.join(', ')}`),
      onProgress: (p) => {
        const line = `image ${p.imageIndex + 1}/${p.imageCount}: step ${p.step}/${p.steps}`;
        if (line !== lastReported) lines.err(line);
        lastReported = line;
      },
    }).finally(() => process.off('SIGINT', onSigint));
    let written = 0;
    for (const outcome of summary.outcomes) {
      if (outcome.status === 'written') {
        written++;
        lines.out(`${outcome.path} -> ${outcome.target}`);
      } else {
        io.err(`${outcome.status === 'rejected' ? 'skipped' : 'failed'} ${outcome.path}: ${outcome.reason}`);
      }
    }
    const perStep = summary.stepSeconds.length ? summary.stepSeconds.reduce((a, b) => a + b, 0) / summary.stepSeconds.length : 0;
    lines.out(
      `${written} of ${imagePaths.length} pairs written to ${values.out} (${summary.totalSeconds.toFixed(1)} s, ${perStep.toFixed(3)} s per UNet step)`,
    );
    if (values.json) {
      printJson(io, {
        out: values.out,
        written,
        images: imagePaths.length,
        seconds: summary.totalSeconds,
        secondsPerUnetStep: perStep,
        outcomes: summary.outcomes.map((o) => ({ path: o.path, status: o.status, ...(o.status === 'written' ? { target: o.target } : { reason: o.reason }) })),
      });
    }
    return summary.outcomes.some((o) => o.status === 'failed') ? 1 : 0;
  },
};

export default command;
