import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { parseCount, parseId, withServices } from './with-services';

// `e2gan subset`: a thin wrapper over services.subset, the same call the app's "Pick a representative subset" makes.

export const subsetCommand: CliCommand = {
  path: ['subset'],
  summary: "Keep a representative subset of a concept's pairs (k-means on colour/gradient features)",
  usage: `Usage: e2gan subset --concept ID --count N [--json]`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { concept: { type: 'string' }, count: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const conceptId = parseId(values.concept, '--concept');
    const count = parseCount(values.count, '--count', 1);
    const selection = await withServices((services) => services.subset.select({ conceptId, targetCount: count }));
    io.out(
      values.json
        ? JSON.stringify(selection, null, 2)
        : `Kept ${selection.keptPairIds.length} pair(s): ${selection.keptPairIds.join(', ')}; dropped ${selection.droppedPairIds.length}`,
    );
    return 0;
  },
};
