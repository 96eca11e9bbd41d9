import { expect, test } from 'vitest';
import { main } from '../../../electron/cli/main';
import type { CliIo } from '../../../electron/cli/command';
import { countParameters, generatorParameters, generatorPreset } from '../../../native-models/e2gan/config';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out: (t: string) => {
      io.stdout += `${t}\n`;
    },
    err: (t: string) => {
      io.stderr += `${t}\n`;
    },
  };
  return io;
}

test('e2gan model info --json reports the config-derived counts', async () => {
  const io = capture();
  expect(await main(['model', 'info', '--preset', 'tiny', '--size', '64', '--rank', '2', '--json'], io)).toBe(0);
  const report = JSON.parse(io.stdout);
  expect(report.generator.parameters).toBe(countParameters(generatorParameters(generatorPreset('tiny', { height: 64, width: 64 }))));
  expect(report.lora.rank).toBe(2);
  expect(report.lora.parameters).toBeGreaterThan(0);
});

test('e2gan model info rejects a bad preset and a size off the stride', async () => {
  const io = capture();
  expect(await main(['model', 'info', '--preset', 'huge'], io)).toBe(2);
  expect(io.stderr).toMatch(/--preset: expected one of tiny, small, base, got 'huge'/);
  const io2 = capture();
  expect(await main(['model', 'info', '--size', '100'], io2)).toBe(1);
  expect(io2.stderr).toMatch(/multiple of the total stride 8/);
});
