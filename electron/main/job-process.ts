/** Entry of the Electron utility process that runs one job (see UtilityProcessJobHost). */
import type { ParentPort } from 'electron';
import { serveJob } from '../jobs/executor-endpoint';
import type { HostToExecutor } from '../jobs/job-host';
import type { UtilityProcessMessage } from './utility-process-host';

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('job-process must run as an Electron utility process');

// The request arrives as the first message (fork() arguments are strings); later messages are host commands.
const hostListeners: ((message: HostToExecutor) => void)[] = [];
let started = false;

port.on('message', ({ data }: { data: UtilityProcessMessage }) => {
  if (data.type !== 'start') {
    for (const listener of hostListeners) listener(data);
    return;
  }
  if (started) return;
  started = true;
  void serveJob(data.request, {
    postMessage: (message) => port.postMessage(message),
    onMessage: (listener) => hostListeners.push(listener),
  }).then(() => {
    // Give the outcome message a turn to flush before the process ends.
    setTimeout(() => process.exit(0), 50);
  });
});
