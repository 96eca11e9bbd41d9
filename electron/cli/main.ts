import { readFileSync } from 'node:fs';
import { commands } from './commands/index';
import { processIo, UsageError, type CliCommand, type CliIo } from './command';

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  // Longest matching word path wins, so `pairs generate` beats a hypothetical `pairs`.
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const command of sorted) {
    if (command.path.every((word, i) => argv[i] === word)) {
      return { command, rest: argv.slice(command.path.length) };
    }
  }
  return undefined;
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 4);
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: e2gan <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'e2gan help <command> shows its options; e2gan --version prints the version.',
    'Progress goes to stderr, results to stdout; train, export, pairs generate, apply and teach take --json.',
  ].join('\n');
}

/**
 * The version in the app's package.json (one version for the app and the CLI). Looked up from this file
 * upwards, so it is found from the sources (electron/cli/) and from a compiled bundle (dist/electron/) alike.
 */
export function cliVersion(): string {
  for (let up = 1; up <= 4; up += 1) {
    try {
      const file = new URL(`${'../'.repeat(up)}package.json`, import.meta.url);
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'e2gan-studio' && pkg.version) return pkg.version;
    } catch {
      // Not at this level: look one folder higher.
    }
  }
  return 'unknown';
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    io.out(argv.includes('--json') ? JSON.stringify({ name: 'e2gan', version: cliVersion() }) : `e2gan ${cliVersion()}`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(overview());
    return 0;
  }
  if (argv[0] === 'help') {
    const found = findCommand(argv.slice(1));
    io.out(found ? found.command.usage : overview());
    return found || argv.length === 1 ? 0 : 2;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`e2gan: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(found.command.usage);
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`e2gan ${found.command.path.join(' ')}: ${error.message}\n\n${found.command.usage}`);
      return 2;
    }
    io.err(`e2gan ${found.command.path.join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
