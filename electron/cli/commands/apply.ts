import { parseArgs } from 'node:util';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { linesIo, printJson, UsageError, type CliCommand } from '../command';
import { loadRunGenerator } from '../../../native-models/e2gan/run-model';
import { GeneratorRunner } from '../../../native-models/e2gan/inference';
import { totalStride } from '../../../native-models/e2gan/config';
import { isImageFileName, readImage, writeImage } from '../../../native-models/image/io';
import { resizeCover } from '../../../native-models/image/transform';
import { numberFlag, providersFlag } from './train';

const usage = `Usage: e2gan apply --run RUN --in IMG|DIR --out PATH [--max-side N] [--ep auto|cpu|webgpu] [--json]

Applies a trained concept (a finished \`e2gan train\` run) to one image (--out is a file, .png/.jpg) or to
every image of a folder (--out is a folder; outputs are NAME.png).
  --max-side N   images are scaled down so the longer side is at most N (default 512), then cropped to a
                 multiple of the generator's stride`;

const command: CliCommand = {
  path: ['apply'],
  summary: 'Apply a trained E2GAN concept to an image or a folder',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        run: { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        'max-side': { type: 'string' },
        ep: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    });
    const lines = linesIo(io, values.json);
    const written: { from: string; to: string; width: number; height: number }[] = [];
    if (!values.run || !values.in || !values.out) throw new UsageError('--run, --in and --out are required');
    const maxSide = numberFlag(values['max-side'], '--max-side', { integer: true, min: 8 }) ?? 512;
    const inputInfo = await stat(values.in).catch(() => undefined);
    if (!inputInfo) throw new Error(`${values.in}: no such file or folder`);
    const jobs: Array<{ from: string; to: string }> = [];
    if (inputInfo.isDirectory()) {
      for (const name of (await readdir(values.in)).sort()) {
        if (isImageFileName(name)) jobs.push({ from: join(values.in, name), to: join(values.out, `${basename(name, extname(name))}.png`) });
      }
      if (jobs.length === 0) throw new Error(`${values.in}: no images found`);
    } else {
      jobs.push({ from: values.in, to: values.out });
    }
    const generator = await loadRunGenerator(values.run);
    const stride = totalStride(generator.config);
    const runners = new Map<string, GeneratorRunner>();
    try {
      for (const job of jobs) {
        const image = await readImage(job.from, { maxSide });
        const width = Math.floor(image.width / stride) * stride;
        const height = Math.floor(image.height / stride) * stride;
        if (width < stride || height < stride) throw new Error(`${job.from}: ${image.width}x${image.height} is smaller than the generator stride ${stride}`);
        const key = `${width}x${height}`;
        let runner = runners.get(key);
        if (!runner) {
          runner = await GeneratorRunner.open({ ...generator.config, width, height }, generator.weights, generator.tokens, {
            executionProviders: providersFlag(values.ep),
          });
          runners.set(key, runner);
        }
        const fitted = width === image.width && height === image.height ? image : resizeCover(image, width, height);
        await writeImage(job.to, await runner.run(fitted));
        lines.out(`${job.from} -> ${job.to} (${width}x${height})`);
        written.push({ from: job.from, to: job.to, width, height });
      }
    } finally {
      for (const runner of runners.values()) await runner.release();
    }
    if (values.json) printJson(io, { run: values.run, written });
    return 0;
  },
};

export default command;
