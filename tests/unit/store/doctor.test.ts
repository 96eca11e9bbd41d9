import { describe, expect, it } from 'vitest';
import { ComputeClient } from '../../../native-models/runtime/index';
import { collectDiagnostics } from '../../../electron/services/doctor';

describe('collectDiagnostics', () => {
  it('can probe in the runtime compute worker instead of the calling thread (as the app main process must)', async () => {
    const client = ComputeClient.start();
    const callingThreadProbes: string[] = [];
    try {
      const diagnostics = await collectDiagnostics({
        env: { E2GAN_STUDIO_HOME: '/nonexistent/e2gan-doctor-test' },
        providers: ['cpu'],
        probe: (candidates) => {
          callingThreadProbes.push(...(candidates ?? []));
          return client.probe(candidates);
        },
      });
      expect(callingThreadProbes).toEqual(['cpu']);
      expect(diagnostics.executionProviders).toEqual(['cpu']);
      expect(diagnostics).toMatchObject({
        dataDir: '/nonexistent/e2gan-doctor-test',
        dataDirSource: 'E2GAN_STUDIO_HOME',
        dataDirExists: false,
      });
    } finally {
      await client.terminate();
    }
  });
});
