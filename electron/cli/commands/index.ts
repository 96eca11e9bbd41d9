import type { CliCommand } from '../command';

// Every subcommand of `e2gan`. Add one import and one entry per command module.
export const commands: readonly CliCommand[] = [];
