import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { withServices } from './with-services';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const storageGc: CliCommand = {
  path: ['storage', 'gc'],
  summary: 'Delete stored files nothing refers to any more (after deleting images or projects)',
  usage: `Usage: e2gan storage gc [--min-age-hours N] [--json]

Removes blobs (originals, thumbnails) that no project uses. Does nothing while a job is queued or running.
  --min-age-hours N   keep blobs written or reused in the last N hours (default 1)
  --json              machine-readable output`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { 'min-age-hours': { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const hoursText = values['min-age-hours'];
    const hours = hoursText === undefined ? 1 : Number(hoursText);
    if (!Number.isFinite(hours) || hours < 0) {
      throw new UsageError(`--min-age-hours: expected a non-negative number, got '${hoursText}'`);
    }
    const { result, usage } = await withServices((services) => {
      const gc = services.storage.collectGarbage({ minAgeMs: hours * 60 * 60 * 1000 });
      return { result: gc, usage: services.storage.usage() };
    });
    if (values.json) {
      io.out(JSON.stringify({ ...result, remaining: usage }, null, 2));
    } else {
      io.out(
        `Removed ${result.removed} of ${result.examined} old blobs (${megabytes(result.bytesFreed)} freed); ` +
          `${usage.blobCount} blobs (${megabytes(usage.bytes)}) remain` +
          (result.stoppedBecause ? `\nStopped early: ${result.stoppedBecause}` : ''),
      );
    }
    return 0;
  },
};
