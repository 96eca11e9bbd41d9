import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { UsageError, type CliCommand } from '../command';
import { runRankSearch } from '../../../native-models/e2gan/rank-search-run';
import { formatRankReport } from '../../../native-models/e2gan/rank-search';
import { writeFileAtomic } from '../../../native-models/io/atomic-file';
import { numberFlag, settingsFromFlags, trainOptions } from './train';

const usage = `Usage: e2gan rank-search --pairs DIR --out DIR [--base PATH] [--start-rank N] [--trial-steps N] [--tolerance X] [--per-layer] [train options]

Chooses per-layer LoRA ranks automatically: one short fine-tune at --start-rank everywhere, then for each
layer group (or layer with --per-layer) halves the rank while the held-out L1 stays within --tolerance of
that reference. Writes DIR/ranks.json (pass the ranks to training) and DIR/report.txt.
  --start-rank N   generous starting rank (default 8)
  --trial-steps N  steps per short fine-tune (default 50)
  --tolerance X    accepted relative loss increase (default 0.05)
Train options (--size, --preset, --batch, --lr, --seed, --held-out, --ep) apply to every trial.`;

const command: CliCommand = {
  path: ['rank-search'],
  summary: 'Search per-layer LoRA ranks with short fine-tunes',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...trainOptions,
        'start-rank': { type: 'string' },
        'trial-steps': { type: 'string' },
        tolerance: { type: 'string' },
        'per-layer': { type: 'boolean' },
      },
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError('--out DIR is required');
    const settings = settingsFromFlags(values);
    await mkdir(values.out, { recursive: true });
    const report = await runRankSearch(settings, {
      startRank: numberFlag(values['start-rank'], '--start-rank', { integer: true, min: 1 }) ?? 8,
      trialSteps: numberFlag(values['trial-steps'], '--trial-steps', { integer: true, min: 1 }) ?? 50,
      tolerance: numberFlag(values.tolerance, '--tolerance', { min: 0 }) ?? 0.05,
      granularity: values['per-layer'] ? 'layer' : 'group',
      onTrial: (label, _ranks, loss) => io.out(`  ${label}: validation L1 ${loss.toFixed(5)}`),
    });
    await writeFileAtomic(join(values.out, 'ranks.json'), `${JSON.stringify(report.ranks, null, 2)}\n`);
    await writeFileAtomic(join(values.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(join(values.out, 'report.txt'), `${formatRankReport(report)}\n`);
    io.out(formatRankReport(report));
    return 0;
  },
};

export default command;
