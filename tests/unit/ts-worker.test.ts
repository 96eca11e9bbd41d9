import { test, expect } from 'vitest';
import { startWorker } from '../../native-models/util/ts-worker';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

test('startWorker runs a TypeScript entry point and passes messages', async () => {
  // The entry must sit inside an ESM package (like every worker of ours), so make the temp dir one.
  const dir = mkdtempSync(join(tmpdir(), 'ts-worker-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const file = join(dir, 'echo.ts');
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';\nconst double = (n: number): number => n * 2;\nparentPort!.on('message', (n: number) => { parentPort!.postMessage(double(n)); });\n`,
  );
  const worker = startWorker(pathToFileURL(file));
  const reply = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(21);
  });
  await worker.terminate();
  expect(reply).toBe(42);
});
