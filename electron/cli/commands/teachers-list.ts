import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { listTeachers } from '../../../native-models/teachers/registry';

const usage = `Usage: e2gan teachers list [--json]

Lists the built-in concept teachers: deterministic image effects usable offline as a teacher, for base
pre-training, and as exact targets in quality tests.
  --json   print [{ id, name, description }] as JSON`;

const command: CliCommand = {
  path: ['teachers', 'list'],
  summary: 'List the built-in concept teachers',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false });
    const teachers = listTeachers().map(({ id, name, description }) => ({ id, name, description }));
    if (values.json) {
      io.out(JSON.stringify(teachers, null, 2));
      return 0;
    }
    const idWidth = Math.max(...teachers.map((t) => t.id.length));
    const nameWidth = Math.max(...teachers.map((t) => t.name.length));
    io.out(teachers.map((t) => `${t.id.padEnd(idWidth)}  ${t.name.padEnd(nameWidth)}  ${t.description}`).join('\n'));
    return 0;
  },
};

export default command;
