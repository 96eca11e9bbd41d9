import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { exportBaseFromCheckpoint } from '../../../native-models/e2gan/base-trainer';

const usage = `Usage: e2gan base export --run RUN

Writes RUN/base.safetensors (fp16) + RUN/base.json from the newest checkpoint of a base run that was stopped
before its last step (a finished run writes them itself). base.json records the step actually reached.`;

const command: CliCommand = {
  path: ['base', 'export'],
  summary: "Write a base model from a stopped base run's newest checkpoint",
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { run: { type: 'string' } }, allowPositionals: false });
    if (!values.run) throw new UsageError('--run RUN is required');
    const { output, step } = await exportBaseFromCheckpoint(values.run);
    io.out(`${output} (step ${step})`);
    return 0;
  },
};

export default command;
