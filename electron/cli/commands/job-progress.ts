import type { Job, Services } from '../../services/index';
import type { CliIo } from '../command';

/**
 * Follows one job to its end, drawing progress: redrawn in place on a terminal, otherwise one line per 10%
 * (logs stay short). Ctrl-C stops the job at a safe point; it is left 'interrupted' and can be resumed.
 */
export async function followJob(services: Services, jobId: number, io: CliIo): Promise<Job> {
  let lastDecile = -1;
  let drewInPlace = false;
  const off = services.events.on('jobProgress', (event) => {
    if (event.jobId !== jobId) return;
    const percent = Math.floor(event.progress * 100);
    const text = `${String(percent).padStart(3)}%  ${event.message ?? ''}`;
    if (io.isTty && process.stderr.isTTY) {
      const columns = process.stderr.columns || 80;
      process.stderr.write(`\r${text.slice(0, columns - 1).padEnd(columns - 1)}`);
      drewInPlace = true;
    } else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      io.err(text);
    }
  });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    io.err(`\nStopping job ${jobId} after the current file...`);
    void services.close();
  };
  process.once('SIGINT', onSigint);
  try {
    const job = await services.jobs.waitFor(jobId);
    if (drewInPlace) process.stderr.write('\n');
    if (interrupted || job.state === 'interrupted') {
      io.err(`Job ${jobId} interrupted; continue it with: e2gan jobs resume ${jobId}`);
    }
    return job;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

export function describeJobEnd(job: Job): string {
  if (job.state === 'failed') return `Job ${job.id} failed: ${job.error ?? 'unknown error'}`;
  if (job.kind === 'import-images' && job.result) {
    const r = job.result;
    const lines = [
      `Job ${job.id} ${job.state}: imported ${r.imported.length}, duplicates ${r.duplicates.length}, skipped ${r.skipped.length}` +
        (r.notProcessed > 0 ? `, not processed ${r.notProcessed}` : ''),
    ];
    for (const dup of r.duplicates) lines.push(`  duplicate  ${dup.name} (same as image ${dup.existingImageId})`);
    for (const skip of r.skipped) lines.push(`  skipped    ${skip.name}: ${skip.reason}`);
    return lines.join('\n');
  }
  return `Job ${job.id} ${job.state}`;
}
