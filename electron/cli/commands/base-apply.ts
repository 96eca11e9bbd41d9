import { parseArgs } from 'node:util';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { UsageError, type CliCommand } from '../command';
import { applyBaseConcept, openBaseConcept } from '../../../native-models/e2gan/base-apply';
import { findShippedBase } from '../../../native-models/e2gan/shipped-base';
import { isImageFileName, readImage, writeImage } from '../../../native-models/image/io';
import { numberFlag, providersFlag } from './train';

const usage = `Usage: e2gan base apply --concept ID --in IMG|DIR --out PATH [--base PATH] [--max-side N] [--ep CHAIN]

Applies one of a base model's pre-trained built-in concepts (its own concept tokens, no fine-tune) to an
image (--out is a file) or to every image of a folder (--out is a folder; outputs are NAME.png).
  --base PATH    base .safetensors (default: the shipped base, resources/base-model/base.safetensors)
  --max-side N   scale images down so the longer side is at most N (default 256)`;

const command: CliCommand = {
  path: ['base', 'apply'],
  summary: "Apply a base model's built-in concept to an image or folder",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        base: { type: 'string' },
        concept: { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        'max-side': { type: 'string' },
        ep: { type: 'string' },
      },
      allowPositionals: false,
    });
    if (!values.concept || !values.in || !values.out) throw new UsageError('--concept, --in and --out are required');
    const base = values.base ?? findShippedBase()?.weights;
    if (!base) throw new UsageError('--base PATH is required (this build ships no base model)');
    const maxSide = numberFlag(values['max-side'], '--max-side', { integer: true, min: 8 }) ?? 256;
    const info = await stat(values.in).catch(() => undefined);
    if (!info) throw new Error(`${values.in}: no such file or folder`);
    const jobs: Array<{ from: string; to: string }> = [];
    if (info.isDirectory()) {
      for (const name of (await readdir(values.in)).sort()) {
        if (isImageFileName(name)) jobs.push({ from: join(values.in, name), to: join(values.out, `${basename(name, extname(name))}.png`) });
      }
      if (jobs.length === 0) throw new Error(`${values.in}: no images found`);
    } else {
      jobs.push({ from: values.in, to: values.out });
    }
    const concept = await openBaseConcept(base, values.concept);
    for (const job of jobs) {
      const output = await applyBaseConcept(concept, await readImage(job.from, { maxSide }), { executionProviders: providersFlag(values.ep) });
      await writeImage(job.to, output);
      io.out(`${job.from} -> ${job.to} (${output.width}x${output.height})`);
    }
    return 0;
  },
};

export default command;
