#!/usr/bin/env node
// The `e2gan` command. Runs the TypeScript sources through tsx's loader, so the CLI and the app share one
// codebase with no separate build step for development installs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
