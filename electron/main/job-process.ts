/** Entry of the Electron utility process that runs one job (see UtilityProcessJobHost). */
import type { ParentPort } from 'electron';
import { executeJob } from '../jobs/execute-job';
import type { ExecutorToHost } from '../jobs/job-host';
import type { UtilityProcessMessage } from './utility-process-host';

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('job-process must run as an Electron utility process');

const controller = new AbortController();
const send = (message: ExecutorToHost) => port.postMessage(message);

port.on('message', ({ data }: { data: UtilityProcessMessage }) => {
  if (data.type === 'stop') {
    controller.abort();
    return;
  }
  void executeJob(data.request, controller.signal, (update) => send({ type: 'progress', ...update })).then((outcome) => {
    send({ type: 'outcome', outcome });
    // Give the message a turn to flush before the process ends.
    setTimeout(() => process.exit(0), 50);
  });
});
