/**
 * `npm run web`: browser mode. Builds the renderer if needed, serves it and the API on 127.0.0.1 and prints
 * the token-bearing URL to open.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../paths';
import { startWebServer } from './server';

const USAGE = `Usage: npm run web -- [--port N] [--data-dir PATH] [--allow-path DIR]...

  --port N          listen on this port (default: a random free port)
  --data-dir PATH   the studio's data folder (default: $E2GAN_STUDIO_HOME or the app's user-data folder)
  --allow-path DIR  let the page read files in DIR by path (e.g. run folders made by e2gan train); repeatable.
                    Without it the page can only import files it uploaded.`;

export interface ServeArgs {
  port: number;
  dataDir: string;
  allowedPathRoots: string[];
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'allow-path': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new HelpRequested();
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: expected an integer 0..65535, got '${values.port}'`);
  }
  const allowedPathRoots = (values['allow-path'] ?? []).map((dir) => path.resolve(dir));
  return { port, dataDir: values['data-dir'] ?? resolveDataDir(), allowedPathRoots };
}

class HelpRequested extends Error {}

async function main(): Promise<void> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(process.argv.slice(2));
  } catch (error) {
    const isHelp = error instanceof HelpRequested;
    (isHelp ? console.log : console.error)(isHelp ? USAGE : `${(error as Error).message}\n\n${USAGE}`);
    process.exit(isHelp ? 0 : 2);
  }
  const server = await startWebServer({
    dataDir: args.dataDir,
    port: args.port,
    allowedPathRoots: args.allowedPathRoots,
    log: (line) => console.log(line),
  });
  console.log(`E2GAN Studio (browser mode)\n  data folder: ${server.services.dataDir}\n  open: ${server.url}\nPress Ctrl+C to stop.`);
  const stop = () => {
    console.log('Stopping…');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('serve-cli.ts')) {
  void main().catch((error) => {
    console.error(`npm run web: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
