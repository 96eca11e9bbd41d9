import type { CliCommand } from '../command';
import modelInfo from './model-info';

// Every subcommand of `e2gan`. Add one import and one entry per command module.
export const commands: readonly CliCommand[] = [modelInfo];
