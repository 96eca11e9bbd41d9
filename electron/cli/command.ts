/**
 * One CLI subcommand. Each is a thin wrapper over the same services the UI uses: parse flags, call the
 * service, print. Commands live in ./commands/<name>.ts and are listed in ./commands/index.ts.
 */
export interface CliCommand {
  /** Words that select the command, e.g. ['doctor'] or ['pairs', 'generate']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Full usage text shown by `e2gan help <command>` and on a usage error. */
  readonly usage: string;
  /** Returns the process exit code. `io` is injectable so tests capture output. */
  run(args: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars redraw in place only then). */
  readonly isTty: boolean;
}

/** A usage problem: wrong or missing flags. Printed with the command's usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The io a command prints through: as given, or with --json every human-readable line (progress, notes,
 * summaries) moved to stderr, so stdout carries exactly one JSON document for scripts.
 */
export function linesIo(io: CliIo, json: boolean | undefined): CliIo {
  return json ? { out: io.err, err: io.err, isTty: false } : io;
}

/** The command's result for --json: one JSON document on stdout. */
export function printJson(io: CliIo, result: unknown): void {
  io.out(JSON.stringify(result, null, 2));
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
};
