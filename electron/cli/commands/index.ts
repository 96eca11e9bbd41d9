import type { CliCommand } from '../command';
import modelInfo from './model-info';
import teachersList from './teachers-list';
import teach from './teach';

// Every subcommand of `e2gan`. Add one import and one entry per command module.
export const commands: readonly CliCommand[] = [modelInfo, teachersList, teach];
