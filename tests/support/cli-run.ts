// The smallest real finished run that the export and share tests start from: pairs taught by a built-in teacher
// from the sample photos at 32 px, then a 2-step tiny CLI run with no base, checkpointed and previewed at its end.
// Made through the CLI itself (`e2gan teach`, `e2gan train`), as a user's run folder would be.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../electron/cli/command';
import { main } from '../../electron/cli/main';

const SAMPLES = fileURLToPath(new URL('../../resources/samples/', import.meta.url));
const quietIo: CliIo = { isTty: false, out() {}, err() {} };

/** Teaches `concept` into `<work>/pairs` and trains `<work>/run` (2 steps, 32 px, tiny, no base); returns the run folder. */
export async function trainTinyCliRun(work: string, concept: string): Promise<string> {
  const pairs = path.join(work, 'pairs');
  const run = path.join(work, 'run');
  const teach = await main(['teach', '--concept', concept, '--in', SAMPLES, '--out', pairs, '--pairs', '--size', '32'], quietIo);
  if (teach !== 0) throw new Error(`e2gan teach --concept ${concept} exited with ${teach}`);
  const trainArgs = ['--pairs', pairs, '--out', run, '--steps', '2', '--size', '32', '--preset', 'tiny', '--base', 'none'];
  const train = await main(['train', ...trainArgs, '--checkpoint-every', '2', '--preview-every', '2'], quietIo);
  if (train !== 0) throw new Error(`e2gan train (${concept} pairs) exited with ${train}`);
  return run;
}
